package dev.packbase.update;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Await;
import dev.packbase.testing.Cmd;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.StandaloneProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A central node and a read-only edge on one shared root, both {@code java -jar packbase.war}. The
 * edge runs on a real read-only mount of the root: it starts, writes nothing, serves what is there,
 * refuses writes with read_only, and picks up a package the central node adds, without a restart.
 */
class EdgeNodeIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;
    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;
    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(StandaloneProcess p, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(p.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(StandaloneProcess p, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(p.uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, Long> tree() throws Exception {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                files.put(root.relativize(p).toString(), Files.getLastModifiedTime(p).toMillis());
            }
        }
        return files;
    }

    @Test
    void anEdgeOnAReadOnlyMountServesAndFollowsTheCentralNode() throws Exception {
        Fixtures.richRepo(upstreamRoot, "zlib-lite", scratch);
        try (GitHttpBackend backend = GitHttpBackend.start(upstreamRoot);
                StandaloneProcess central = StandaloneProcess.start(StandaloneProcess.packagedWar(),
                        Map.of("PACKBASE_ROOT", root.toString()))) {
            // The central node writes the info snapshot in the background after seeding: let it settle first.
            Await.until("the central node's info snapshot to be written", Duration.ofSeconds(60),
                    () -> Files.exists(root.resolve(".packbase/package-info.json"))
                            && !Files.exists(root.resolve(".packbase/package-info.pending")));
            Map<String, Long> before = tree();
            try (StandaloneProcess edge = StandaloneProcess.builder(StandaloneProcess.packagedWar())
                    .env(Map.of("PACKBASE_ROOT", root.toString(), "PACKBASE_RELOAD_SECONDS", "1"))
                    .readOnlyMount(root).start()) {
                assertEquals(before, tree(), "the edge writes nothing at startup");
                JsonNode status = JSON.readTree(get(edge, "/api/status").body());
                assertTrue(status.path("read_only").asBoolean());
                assertEquals(200, get(edge, "/p/hello/tag/v0.1.0.tar.gz").statusCode());

                HttpResponse<String> fetch = post(edge, "/api/fetch", "{\"url\":\"" + backend.url("zlib-lite") + "\"}");
                assertEquals(503, fetch.statusCode(), fetch.body());
                assertEquals("read_only", JSON.readTree(fetch.body()).path("status").asText());
                assertEquals("read_only", JSON.readTree(post(edge, "/api/update", "").body()).path("status").asText());

                HttpResponse<String> added = post(central, "/api/fetch", "{\"url\":\"" + backend.url("zlib-lite") + "\"}");
                assertEquals(200, added.statusCode(), added.body());
                int upstreamRequests = backend.requestCount();

                // The edge re-reads the shared root every second.
                Await.until("the edge to pick up the new package\n" + edge.output(), Duration.ofSeconds(60),
                        () -> JSON.readTree(get(edge, "/api/list").body()).path("local_packages").toString().contains("zlib-lite"));
                byte[] fromEdge = http.send(HttpRequest.newBuilder(edge.uri("/p/zlib-lite/tag/v1.1.0.tar.gz")).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).body();
                assertArrayEquals(Files.readAllBytes(root.resolve("p/zlib-lite/tag/v1.1.0.tar.gz")), fromEdge);
                assertTrue(JSON.readTree(get(edge, "/api/info/zlib-lite").body()).path("healthy").asBoolean());
                Cmd.run(work, Map.of("HOME", work.toString()), List.of("git", "clone", "-q", edge.uri("/zlib-lite").toString(), "c"));
                assertTrue(Files.exists(work.resolve("c/build.zig")));
                assertEquals(upstreamRequests, backend.requestCount(), "an edge never contacts upstream");
            }
        }
    }
}
