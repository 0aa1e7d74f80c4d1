package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Await;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.StandaloneProcess;
import dev.packbase.testing.Tarballs;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of {@code java -jar packbase.war} in the middle of an ingest, at several points (after the
 * n-th object write has begun). After a restart no partial tarball is visible, every tarball with a
 * manifest matches it, and the next fetch completes the work. The long version of this runs many
 * kill points; CI runs a few.
 */
class KilledIngestIT {
    private static final int TAGS = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path upstreamRoot;
    @TempDir
    static Path scratch;
    @TempDir
    Path root;

    static GitHttpBackend backend;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void upstream() throws Exception {
        dev.packbase.testing.Fixtures.heavyRepo(upstreamRoot, "heavy", scratch, TAGS);
        backend = GitHttpBackend.start(upstreamRoot);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private StandaloneProcess start() {
        return StandaloneProcess.start(StandaloneProcess.packagedWar(),
                Map.of("PACKBASE_ROOT", root.toString(), "PACKBASE_SEED", "false"));
    }

    private HttpResponse<String> fetch(StandaloneProcess p) throws Exception {
        return http.send(HttpRequest.newBuilder(p.uri("/api/fetch"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + backend.url("heavy") + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The kill points: CI runs a few; tools/stress-crash.sh passes {@code -Dpackbase.kill.points=1..50}
     * (a range or a comma list) for the long version.
     */
    static java.util.stream.IntStream killPoints() {
        String spec = System.getProperty("packbase.kill.points", "1,4,9");
        if (spec.contains("..")) {
            String[] range = spec.split("\\.\\.");
            return java.util.stream.IntStream.rangeClosed(Integer.parseInt(range[0].trim()), Integer.parseInt(range[1].trim()));
        }
        return java.util.Arrays.stream(spec.split(",")).mapToInt(p -> Integer.parseInt(p.trim()));
    }

    @ParameterizedTest(name = "killed after object write {0} began")
    @org.junit.jupiter.params.provider.MethodSource("killPoints")
    void aKilledIngestLeavesNothingPartialAndTheNextFetchCompletes(int killAtWrite) throws Exception {
        Path tmp = Files.createDirectories(root.resolve(".packbase/tmp"));
        StandaloneProcess first = start();
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            tmp.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            CompletableFuture<HttpResponse<String>> pending = CompletableFuture.supplyAsync(() -> {
                try {
                    return fetch(first);
                } catch (Exception e) {
                    return null;
                }
            });
            int writes = 0;
            while (writes < killAtWrite) {
                WatchKey key = watch.poll(60, TimeUnit.SECONDS);
                if (key == null) {
                    throw new AssertionError("no object write seen\n" + first.output());
                }
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.context().toString().startsWith("obj-")) {
                        writes++;
                    }
                }
                key.reset();
            }
            first.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            pending.get(30, TimeUnit.SECONDS);
        } finally {
            first.close();
        }

        assertEveryVisibleTarballIsComplete();
        // Each tag writes a tarball and a manifest; later writes belong to the record and the derived Git data.
        assertTrue(visibleTarballs() < TAGS || killAtWrite >= 2 * TAGS, "the kill landed in the middle of the ingest");

        try (StandaloneProcess second = start()) {
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.toList(), "restart clears temporary files");
            }
            HttpResponse<String> response = fetch(second);
            assertEquals(200, response.statusCode(), response.body());
            JsonNode body = JSON.readTree(response.body());
            assertEquals(TAGS, body.path("tarball_count").asInt(), response.body());
            assertEveryVisibleTarballIsComplete();
            for (int i = 0; i < TAGS; i++) {
                Path manifest = root.resolve("p/heavy/tag/v1." + i + ".0.json");
                JsonNode m = JSON.readTree(manifest.toFile());
                byte[] served = http.send(HttpRequest.newBuilder(second.uri("/p/heavy/tag/v1." + i + ".0.tar.gz")).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).body();
                assertEquals(m.path("tarball").path("sha256").asText(), sha256(served), "v1." + i + ".0");
            }
            JsonNode info = JSON.readTree(http.send(HttpRequest.newBuilder(second.uri("/api/info/heavy")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertTrue(info.path("healthy").asBoolean(), info.toString());
            // The contract's single snapshot catches up in the background (a kill may have hit its
            // writer, or left the pending marker): it ends listing the package whole, the marker gone.
            Path snapshot = root.resolve(".packbase/package-info.json");
            Path marker = root.resolve(".packbase/package-info.pending");
            Await.until("package-info.json lists heavy with every tarball and the pending marker is gone",
                    Duration.ofSeconds(30), () -> !Files.exists(marker) && Files.exists(snapshot)
                            && JSON.readTree(snapshot.toFile()).path("packages").path("heavy").path("tarball_count").asInt() == TAGS);
        }
    }

    private long visibleTarballs() throws Exception {
        Path dir = root.resolve("p/heavy/tag");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".tar.gz")).count();
        }
    }

    /** Every .tar.gz on disk gunzips completely; where a manifest exists, the bytes match it. */
    private void assertEveryVisibleTarballIsComplete() throws Exception {
        Path dir = root.resolve("p/heavy/tag");
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".tar.gz")).toList()) {
                byte[] bytes = Files.readAllBytes(p);
                assertTrue(Tarballs.gunzip(bytes).length > 0, p.toString());
                Path manifest = Path.of(p.toString().replace(".tar.gz", ".json"));
                if (Files.exists(manifest)) {
                    assertEquals(JSON.readTree(manifest.toFile()).path("tarball").path("sha256").asText(), sha256(bytes),
                            p.toString());
                }
            }
        }
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
