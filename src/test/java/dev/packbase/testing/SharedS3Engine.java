package dev.packbase.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The backend switch of the integration suites: with {@code -Dpackbase.it.storage=s3} (the second failsafe
 * run of the pom), every {@link TestServer} root becomes a bucket of one versitygw process shared by the test
 * JVM, started on first use and stopped when the JVM exits. A root maps to the same bucket each time, so a
 * server restarted on a root finds what it wrote; the root directory itself then holds only fixtures.
 */
public final class SharedS3Engine {
    private static S3Engine engine;
    private static Path dir;

    private SharedS3Engine() {
    }

    /** Whether this test JVM runs the suites on object storage. */
    public static boolean enabled() {
        return "s3".equals(System.getProperty("packbase.it.storage", "file"));
    }

    /** The context-params that put a server for {@code root} on its bucket; none on the file backend. */
    public static Map<String, String> settingsFor(Path root) {
        if (!enabled()) {
            return Map.of();
        }
        S3Engine s3 = engine();
        String id = digest(root.toAbsolutePath().normalize().toString());
        String bucket = "it-" + id;
        try (S3Client client = s3.client()) {
            if (!client.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(bucket))) {
                client.createBucket(b -> b.bucket(bucket));
            }
        }
        return s3.nodeSettings(bucket, "", dir.resolve("nodes").resolve(id + "-" + System.nanoTime()));
    }

    private static synchronized S3Engine engine() {
        if (engine == null) {
            try {
                dir = Files.createTempDirectory("packbase-it-s3-");
                engine = S3Engine.start(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            S3Engine started = engine;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "packbase-it-s3-stop"));
        }
        return engine;
    }

    private static String digest(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
