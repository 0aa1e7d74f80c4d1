package dev.packbase.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.testing.Fixtures;
import dev.packbase.testing.S3Engine;
import dev.packbase.testing.StandaloneProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code java -jar packbase.war migrate} between a root directory and a bucket of a real S3 server, both ways:
 * everything copied and verified, the source untouched, a rerun after an interruption copies only what is
 * missing, {@code verify} passes and {@code reindex} rebuilds a lost record on the bucket, and a node started on
 * the bucket serves what was migrated.
 */
class MigrateIT {
    @TempDir
    Path dir;
    private S3Engine engine;
    private String bucket;
    private Path root;

    @BeforeEach
    void start() throws Exception {
        engine = S3Engine.start(dir);
        bucket = engine.newBucket();
        root = dir.resolve("root");
        var repo = Fixtures.richRepo(Files.createDirectories(dir.resolve("upstream")), "lib",
                Files.createDirectories(dir.resolve("scratch")));
        try (StandaloneProcess server = StandaloneProcess.start(StandaloneProcess.packagedWar(),
                Map.of("PACKBASE_ROOT", root.toString(), "PACKBASE_FETCH_ALLOWED_SCHEMES", "https,http,file"))) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri("/api/fetch"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + repo.fileUrl() + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>(engine.nodeEnvironment(bucket, "", dir.resolve("local")));
        env.remove("PACKBASE_STORAGE");
        return env;
    }

    private StandaloneProcess command(Map<String, String> env, String... args) {
        StandaloneProcess p = StandaloneProcess.builder(StandaloneProcess.packagedWar()).env(env).args(args).launch();
        p.awaitExit(Duration.ofSeconds(120));
        return p;
    }

    private Map<String, byte[]> files(Path base) throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String key = base.relativize(p).toString();
                if (!key.startsWith(".packbase/tmp/")) {
                    files.put(key, Files.readAllBytes(p));
                }
            }
        }
        return files;
    }

    private Map<String, Long> stamps(Path base) throws Exception {
        Map<String, Long> stamps = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path p : walk.toList()) {
                stamps.put(base.relativize(p).toString(), Files.getLastModifiedTime(p).toMillis() ^ Files.size(p));
            }
        }
        return stamps;
    }

    @Test
    void aRootMovesToABucketAndBackVerifiedAndResumable() throws Exception {
        Map<String, Long> before = stamps(root);
        Map<String, byte[]> source = files(root);
        StandaloneProcess first = command(env(), "migrate", "--from", root.toString(), "--to", "s3://" + bucket + "/reg");
        assertEquals(0, first.awaitExit(Duration.ofSeconds(5)), first.output());
        assertTrue(first.output().contains("] lib: "), "a line per package without a terminal:\n" + first.output());
        assertEquals(before, stamps(root), "the source is untouched");
        for (Map.Entry<String, byte[]> f : source.entrySet()) {
            Path copy = engine.objectFile(bucket, "reg/" + f.getKey());
            assertTrue(Files.isRegularFile(copy), f.getKey() + " migrated");
            assertArrayEquals(f.getValue(), Files.readAllBytes(copy), f.getKey());
        }

        // An interrupted run: some objects never arrived. Running again copies only those.
        try (S3Client s3 = engine.client()) {
            s3.deleteObject(b -> b.bucket(bucket).key("reg/.packbase/packages/lib.json"));
            s3.deleteObject(b -> b.bucket(bucket).key("reg/p/lib/tag/v1.1.0.tar.gz"));
        }
        StandaloneProcess again = command(env(), "migrate", "--from", root.toString(), "--to", "s3://" + bucket + "/reg");
        assertEquals(0, again.awaitExit(Duration.ofSeconds(5)), again.output());
        assertTrue(again.output().matches("(?s).*lib: [1-9]\\d* copied, [1-9]\\d* kept.*"), again.output());
        assertArrayEquals(source.get("p/lib/tag/v1.1.0.tar.gz"),
                Files.readAllBytes(engine.objectFile(bucket, "reg/p/lib/tag/v1.1.0.tar.gz")));

        Map<String, String> onBucket = new HashMap<>(env());
        onBucket.put("PACKBASE_STORAGE", "s3://" + bucket + "/reg");
        StandaloneProcess verify = command(onBucket, "verify");
        assertEquals(0, verify.awaitExit(Duration.ofSeconds(5)), verify.output());
        assertTrue(verify.output().contains("s3://" + bucket + "/reg"), verify.output());
        try (S3Client s3 = engine.client()) {
            s3.deleteObject(b -> b.bucket(bucket).key("reg/.packbase/packages/lib.json"));
        }
        Map<String, String> reindexing = new HashMap<>(onBucket);
        reindexing.put("PACKBASE_ROOT", dir.resolve("reindex-root").toString());
        StandaloneProcess reindex = command(reindexing, "reindex");
        assertEquals(0, reindex.awaitExit(Duration.ofSeconds(5)), reindex.output());
        assertTrue(reindex.output().contains("lib: "), reindex.output());
        assertTrue(Files.exists(engine.objectFile(bucket, "reg/.packbase/packages/lib.json")),
                "reindex rebuilt the record in the bucket from the manifests");

        Map<String, String> node = new HashMap<>(onBucket);
        node.put("PACKBASE_ROOT", dir.resolve("node-root").toString());
        try (StandaloneProcess server = StandaloneProcess.start(StandaloneProcess.packagedWar(), node)) {
            HttpResponse<byte[]> tarball = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    server.uri("/p/lib/tag/v1.0.0.tar.gz")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, tarball.statusCode());
            assertArrayEquals(source.get("p/lib/tag/v1.0.0.tar.gz"), tarball.body());
        }

        Path back = dir.resolve("back");
        StandaloneProcess home = command(env(), "migrate", "--from", "s3://" + bucket + "/reg", "--to", back.toString());
        assertEquals(0, home.awaitExit(Duration.ofSeconds(5)), home.output());
        for (String key : List.of("p/lib/tag/v1.0.0.tar.gz", "p/lib/tag/v1.0.0.json", ".packbase/packages/lib.json")) {
            assertTrue(Files.exists(back.resolve(key)), key);
        }
        Map<String, String> onBack = new HashMap<>(env());
        onBack.put("PACKBASE_ROOT", back.toString());
        StandaloneProcess verifyBack = command(onBack, "verify");
        assertEquals(0, verifyBack.awaitExit(Duration.ofSeconds(5)), verifyBack.output());
    }

    @Test
    void anObjectThatDiffersOnTheDestinationStopsTheRunAndIsLeftAlone() throws Exception {
        try (S3Client s3 = engine.client()) {
            s3.putObject(b -> b.bucket(bucket).key("p/lib/tag/v1.0.0.tar.gz"),
                    software.amazon.awssdk.core.sync.RequestBody.fromString("not the tarball"));
        }
        StandaloneProcess run = command(env(), "migrate", "--from", root.toString(), "--to", "s3://" + bucket);
        assertEquals(1, run.awaitExit(Duration.ofSeconds(5)), run.output());
        assertTrue(run.output().contains("p/lib/tag/v1.0.0.tar.gz already exists on the destination with other bytes"),
                run.output());
        assertEquals("not the tarball", Files.readString(engine.objectFile(bucket, "p/lib/tag/v1.0.0.tar.gz")));
    }
}
