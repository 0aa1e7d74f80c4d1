package dev.packbase.testing;

import dev.packbase.config.Config;
import dev.packbase.domain.S3Location;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server on loopback for a test: Versity's S3 gateway (versitygw, installed by
 * {@code tools/install-s3-engine.sh}) over a posix directory, path-style, region us-east-1. It can be
 * stopped and started again on the same port and data (the engine going away under load), and killed.
 * Credentials reach packbase the standard way: the {@code aws.accessKeyId}/{@code aws.secretAccessKey}
 * system properties in this JVM, the {@code AWS_*} environment for a child process.
 */
public final class S3Engine implements AutoCloseable {
    public static final String ACCESS_KEY = "packbase-test";
    public static final String SECRET_KEY = "packbase-test-secret-0123";
    private static final String VERSION = "v1.8.0";

    private final Path data;
    private final int port;
    private Process process;

    private S3Engine(Path data, int port) {
        this.data = data;
        this.port = port;
    }

    /** The installed binary; tests fail (never skip) without it: {@code tools/install-test-deps.sh} installs it. */
    public static Path binary() {
        String home = System.getenv().getOrDefault("PACKBASE_S3_ENGINE_HOME",
                System.getProperty("user.home") + "/.cache/packbase/versitygw");
        Path bin = Path.of(home, VERSION, "versitygw");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("versitygw " + VERSION + " is not installed at " + bin
                    + ": run tools/install-s3-engine.sh");
        }
        return bin;
    }

    /** Starts an engine whose objects live under {@code dir}. */
    public static S3Engine start(Path dir) throws IOException {
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        Path data = Files.createDirectories(dir.resolve("s3-data"));
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            S3Engine engine = new S3Engine(data, freePort());
            try {
                engine.launch();
                return engine;
            } catch (IOException e) {
                last = e; // the port was taken between the probe and the engine's bind
                engine.close();
            }
        }
        throw last;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void launch() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(binary().toString(), "--port", "127.0.0.1:" + port, "--region",
                "us-east-1", "--keep-alive", "--quiet", "posix", data.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolveSibling("s3-engine.log").toFile()));
        pb.environment().put("ROOT_ACCESS_KEY", ACCESS_KEY);
        pb.environment().put("ROOT_SECRET_KEY", SECRET_KEY);
        process = pb.start();
        try {
            Await.until("versitygw listening on " + port, Duration.ofSeconds(20), () -> {
                if (!process.isAlive()) {
                    throw new IOException("versitygw exited with " + process.exitValue() + " (see "
                            + data.resolveSibling("s3-engine.log") + ")");
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A fresh bucket with a random name. */
    public String newBucket() {
        String bucket = "pb-" + UUID.randomUUID().toString().substring(0, 18);
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
        return bucket;
    }

    /** An SDK client for the engine, configured as packbase configures its own. */
    public S3Client client() {
        return dev.packbase.storage.S3Clients.build(settings(new S3Location("probe-bucket", ""), null));
    }

    /** Object-storage settings for {@code location} on this engine, with {@code localDir} as the node's directory. */
    public Config.ObjectStorage settings(S3Location location, Path localDir) {
        return new Config.ObjectStorage(location, Optional.of(endpoint()), "us-east-1", true, Duration.ofSeconds(5),
                64L << 20, Optional.ofNullable(localDir), false, Duration.ZERO);
    }

    /** Context-param settings that put a packbase node on {@code s3://bucket/prefix} of this engine. */
    public Map<String, String> nodeSettings(String bucket, String prefix, Path localDir) {
        Map<String, String> settings = new HashMap<>();
        settings.put("packbase.storage", "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix));
        settings.put("packbase.s3.endpoint", endpoint().toString());
        settings.put("packbase.s3.timeout.seconds", "5");
        settings.put("packbase.local.dir", localDir.toString());
        return settings;
    }

    /** The environment of a child packbase process on this engine (credentials the standard AWS way). */
    public Map<String, String> nodeEnvironment(String bucket, String prefix, Path localDir) {
        Map<String, String> env = new HashMap<>();
        nodeSettings(bucket, prefix, localDir).forEach((k, v) -> env.put(k.toUpperCase().replace('.', '_'), v));
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        return env;
    }

    /** Where the engine keeps an object's bytes (its posix backend): for checks, never for writes. */
    public Path objectFile(String bucket, String key) {
        return data.resolve(bucket).resolve(key);
    }

    /** Stops the engine (SIGTERM) and waits until it is gone; {@link #restart} brings it back. */
    public void stop() {
        Processes.stop(process, Duration.ofSeconds(10));
    }

    /** Starts the engine again on the same port and data. */
    public void restart() throws IOException {
        stop();
        launch();
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        if (process != null) {
            stop();
        }
    }
}
