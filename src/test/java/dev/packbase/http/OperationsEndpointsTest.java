package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /healthz, /readyz, /metrics and request ids, on the in-process server. */
class OperationsEndpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARBALL = "/p/hello/tag/v0.1.0.tar.gz";

    @TempDir
    Path root;

    private static String id(HttpResponse<?> r) {
        return r.headers().firstValue("X-Request-Id").orElseThrow(() -> new AssertionError("no X-Request-Id: " + r));
    }

    @Test
    void everyAnswerHasItsOwnRequestIdAndJsonErrorsCarryIt() throws Exception {
        try (TestServer s = TestServer.start(root, Map.of())) {
            Set<String> ids = new HashSet<>();
            for (String path : List.of("/", "/api/status", TARBALL, "/healthz", "/metrics", "/no/such/thing",
                    "/git/hello.git/info/refs?service=git-upload-pack")) {
                String id = id(s.get(path));
                assertTrue(id.matches("[0-9a-f]{32}"), path + ": " + id);
                ids.add(id);
            }
            assertEquals(7, ids.size(), "one id per request");

            HttpResponse<String> missing = s.get("/p/hello/tag/v9.9.9.tar.gz");
            assertEquals(404, missing.statusCode());
            assertEquals(id(missing), JSON.readTree(missing.body()).path("request_id").asText(), missing.body());
            HttpResponse<String> bad = s.postJson("/api/fetch", "{not json");
            assertEquals(400, bad.statusCode());
            JsonNode body = JSON.readTree(bad.body());
            assertEquals("bad_request", body.path("status").asText());
            assertEquals(id(bad), body.path("request_id").asText());
        }
    }

    @Test
    void aTrustedProxysWellFormedIdIsKeptAndAnythingElseReplaced() throws Exception {
        try (TestServer s = TestServer.start(root, Map.of("packbase.seed", "false"))) {
            assertEquals("edge-7f3a.1:2_b", id(s.send(request(s, "edge-7f3a.1:2_b"))), "127.0.0.1 is a trusted proxy");
            String tooLong = "a".repeat(65);
            for (String hostile : List.of(tooLong, "a b", "x\"y", "<script>", "é")) {
                String id = id(s.send(request(s, hostile)));
                assertNotEquals(hostile, id);
                assertTrue(id.matches("[0-9a-f]{32}"), id);
            }
        }
        try (TestServer s = TestServer.start(root, Map.of("packbase.seed", "false", "packbase.trusted.proxies", ""))) {
            String id = id(s.send(request(s, "chosen-by-client")));
            assertTrue(id.matches("[0-9a-f]{32}"), "an untrusted client cannot choose the id: " + id);
        }
    }

    private static HttpRequest.Builder request(TestServer s, String requestId) {
        return HttpRequest.newBuilder(s.uri("/api/status")).header("X-Request-Id", requestId).GET();
    }

    @Test
    void healthAndReadinessOfAWritableRoot() throws Exception {
        try (TestServer s = TestServer.start(root, Map.of())) {
            HttpResponse<String> live = s.get("/healthz");
            assertEquals(200, live.statusCode());
            assertEquals("{\"status\":\"ok\"}", live.body());
            HttpResponse<String> ready = s.get("/readyz");
            assertEquals(200, ready.statusCode(), ready.body());
            JsonNode body = JSON.readTree(ready.body());
            assertEquals("ready", body.path("status").asText());
            assertEquals("ok", body.path("checks").path("state").asText());
            assertEquals("ok", body.path("checks").path("storage").asText());
            assertEquals("ok", body.path("checks").path("writable").asText());
            assertTrue(s.holds(".packbase/ready-probe"), "the write check wrote its probe");
        }
    }

    /** A store that refuses writes (its temporary directory is a file: even root cannot write there) is not ready. */
    @Test
    void aRootThatCannotBeWrittenIsNotReadyUntilItCanBe() throws Exception {
        try (TestServer s = TestServer.start(root, Map.of("packbase.seed", "false"))) {
            Path tmp = root.resolve(".packbase/tmp");
            deleteTree(tmp);
            Files.createDirectories(tmp.getParent());
            Files.writeString(tmp, "in the way");
            HttpResponse<String> ready = s.get("/readyz");
            assertEquals(503, ready.statusCode(), ready.body());
            JsonNode body = JSON.readTree(ready.body());
            assertEquals("not_ready", body.path("status").asText());
            assertEquals("[\"writable\"]", body.path("not_ready").toString());
            assertTrue(body.path("checks").path("writable").asText().startsWith("cannot write .packbase/ready-probe"),
                    ready.body());
            assertEquals(200, s.get("/healthz").statusCode(), "the process still serves");

            Files.delete(tmp);
            Files.createDirectory(tmp);
            assertEquals(200, s.get("/readyz").statusCode(), "nothing about the failure is kept");
        }
    }

    @Test
    void aReadOnlyEdgeIsReadyWithoutBeingAskedToWrite() throws Exception {
        try (TestServer central = TestServer.start(root, Map.of())) {
            assertEquals(200, central.getBytes(TARBALL).statusCode());
        }
        try (TestServer edge = TestServer.start(root, Map.of("packbase.read.only", "true"))) {
            Files.deleteIfExists(root.resolve(".packbase/ready-probe"));
            HttpResponse<String> ready = edge.get("/readyz");
            assertEquals(200, ready.statusCode(), ready.body());
            assertEquals("not asked (read-only)", JSON.readTree(ready.body()).path("checks").path("writable").asText());
            assertTrue(!edge.holds(".packbase/ready-probe"), "an edge writes nothing");
        }
    }

    @Test
    void metricsCountWhatWasServed() throws Exception {
        try (TestServer s = TestServer.start(root, Map.of())) {
            HttpResponse<byte[]> first = s.getBytes(TARBALL);
            s.getBytes(TARBALL);
            s.get("/p/hello/tag/v9.9.9.tar.gz");
            s.fetch("file:///nowhere/at/all.git", 400);
            HttpResponse<String> scrape = s.get("/metrics");
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            String text = scrape.body();
            double tarballs2xx = value(text, "packbase_http_requests_total{route=\"tarball\",status=\"2xx\"}");
            assertEquals(2, tarballs2xx);
            assertEquals(1, value(text, "packbase_http_requests_total{route=\"tarball\",status=\"4xx\"}"));
            assertTrue(value(text, "packbase_http_response_bytes_total{route=\"tarball\"}") >= 2.0 * first.body().length);
            assertEquals(1, value(text, "packbase_tarball_cache_lookups_total{result=\"miss\"}"));
            assertEquals(1, value(text, "packbase_tarball_cache_lookups_total{result=\"hit\"}"));
            assertEquals(1, value(text, "packbase_ingests_total{outcome=\"rejected\"}"));
            assertEquals(1, value(text, "packbase_packages{health=\"healthy\"}"));
            assertTrue(!text.contains("hello"), "no package name in any label");

            HttpResponse<String> open = s.send(HttpRequest.newBuilder(s.uri("/metrics"))
                    .header("Accept", "application/openmetrics-text; version=1.0.0").GET());
            assertTrue(open.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
            assertTrue(open.body().endsWith("# EOF\n"));
        }
    }

    @Test
    void metricsOffAnswers404() throws Exception {
        try (TestServer s = TestServer.start(root, Map.of("packbase.metrics", "false", "packbase.seed", "false"))) {
            HttpResponse<String> scrape = s.get("/metrics");
            assertEquals(404, scrape.statusCode());
            assertEquals("not_found", JSON.readTree(scrape.body()).path("status").asText());
            assertEquals(200, s.get("/healthz").statusCode());
        }
    }

    private static double value(String exposition, String series) {
        return dev.packbase.metrics.PrometheusMetricsTestAccess.value(exposition, series);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
