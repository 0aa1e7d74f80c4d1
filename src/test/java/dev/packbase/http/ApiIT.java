package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Await;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.TestServer;
import dev.packbase.testing.UpstreamRepo;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON API over real HTTP, against a real upstream: every status code of CONTRACT §4. */
class ApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;
    @TempDir
    Path root;

    private GitHttpBackend backend;
    private UpstreamRepo repo;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        repo = Fixtures.richRepo(upstreamRoot, "zlib-lite", scratch);
        backend = GitHttpBackend.start(upstreamRoot);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        backend.close();
    }

    private TestServer server(Map<String, String> settings) {
        server = TestServer.start(root, settings);
        return server;
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                "JSON content type: " + r.headers().map());
        return JSON.readTree(r.body());
    }

    private static void assertError(HttpResponse<String> r, int status, String code, String mentions) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals(code, body.path("status").asText(), r.body());
        assertTrue(body.path("message").asText().contains(mentions), "message names '" + mentions + "': " + r.body());
    }

    private String fetchBody() {
        return "{\"url\":\"git+" + backend.url("zlib-lite") + "\"}";
    }

    @Test
    void fetchThenListInfoStatusAndDownload() throws Exception {
        TestServer s = server(Map.of("packbase.seed", "false"));
        // Asked once before the fetch: list and status are cached per registry change, and must notice it.
        assertEquals(List.of(), JSON.convertValue(json(s.get("/api/list")).path("packages"), List.class));
        assertEquals(0, json(s.get("/api/status")).path("packages_total").asInt());
        HttpResponse<String> fetched = s.postJson("/api/fetch", fetchBody());
        assertEquals(200, fetched.statusCode(), fetched.body());
        JsonNode f = json(fetched);
        assertEquals("ok", f.path("status").asText());
        assertEquals("zlib-lite", f.path("package").asText());
        assertEquals("v1.1.0", f.path("tag").asText());
        assertEquals("/p/zlib-lite/tag/v1.1.0.tar.gz", f.path("url").asText());
        assertEquals(3, f.path("tarballs_created").asInt());
        assertEquals(0, f.path("tarballs_present").asInt());
        assertEquals(3, f.path("tarball_count").asInt());

        JsonNode list = json(s.get("/api/list"));
        assertEquals(List.of("zlib-lite"), JSON.convertValue(list.path("packages"), List.class));
        assertEquals(List.of("zlib-lite"), JSON.convertValue(list.path("local_packages"), List.class));
        assertEquals(List.of(), JSON.convertValue(list.path("registered_packages"), List.class));

        // The same list gzipped for a client that accepts it, and plain for one that refuses gzip.
        HttpResponse<String> plain = s.get("/api/list");
        HttpResponse<byte[]> gzipped = s.getBytes("/api/list", "Accept-Encoding", "br, gzip");
        assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElse(""), gzipped.headers().map().toString());
        assertEquals("Accept-Encoding", gzipped.headers().firstValue("Vary").orElse(""));
        assertEquals(plain.body(), new String(new java.util.zip.GZIPInputStream(
                new java.io.ByteArrayInputStream(gzipped.body())).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        HttpResponse<byte[]> refused = s.getBytes("/api/list", "Accept-Encoding", "gzip;q=0, identity");
        assertTrue(refused.headers().firstValue("Content-Encoding").isEmpty(), refused.headers().map().toString());
        assertEquals(plain.body(), new String(refused.body(), java.nio.charset.StandardCharsets.UTF_8));

        JsonNode info = json(s.get("/api/info/zlib-lite"));
        assertEquals("zlib-lite", info.path("package").asText());
        assertTrue(info.path("available").asBoolean());
        assertTrue(info.path("local").asBoolean());
        assertFalse(info.path("registered").asBoolean());
        assertTrue(info.path("tarball_dir_present").asBoolean());
        assertEquals(3, info.path("tarball_count").asInt());
        assertEquals("v1.1.0", info.path("latest_tag").asText());
        assertTrue(info.path("healthy").asBoolean(), info.toString());
        long total = 0;
        for (JsonNode t : info.path("tarballs")) {
            long size = s.stored("p/zlib-lite/tag/" + t.path("tag").asText() + ".tar.gz").length;
            assertEquals(size, t.path("size_bytes").asLong());
            assertTrue(t.path("manifest_present").asBoolean());
            assertEquals(40, t.path("git_commit_oid").asText().length());
            assertEquals(repo.git("rev-parse", t.path("tag").asText() + "^{tree}"), t.path("git_tree_oid").asText());
            assertFalse(t.path("git_commit_oid").asText().equals(t.path("git_tree_oid").asText()));
            assertEquals(64, t.path("tarball_sha256").asText().length());
            assertEquals(32, t.path("tarball_md5").asText().length());
            assertEquals(8, t.path("tarball_crc32").asText().length());
            total += size;
        }
        assertEquals(total, info.path("size_bytes").asLong());
        assertEquals(s.stored("p/zlib-lite/tag/v1.1.0.tar.gz").length, info.path("latest_size_bytes").asLong());
        assertTrue(s.holds(".packbase/info/zlib-lite.json"), "the package's entry is persisted");
        Await.until("the coalescing writer to persist the snapshot", Duration.ofSeconds(30),
                () -> s.storedText(".packbase/package-info.json").contains("\"zlib-lite\""));

        JsonNode status = json(s.get("/api/status"));
        assertEquals("packbase", status.path("service").asText());
        assertEquals(1, status.path("packages_total").asInt());
        assertEquals(1, status.path("packages_healthy").asInt());
        assertEquals(0, status.path("packages_unhealthy").asInt());
        assertEquals("idle", status.path("update").path("state").asText());

        HttpResponse<byte[]> tarball = s.getBytes("/p/zlib-lite/tag/v1.0.0.tar.gz");
        assertEquals(200, tarball.statusCode());
        assertArrayEquals(s.stored("p/zlib-lite/tag/v1.0.0.tar.gz"), tarball.body());
    }

    @Test
    void tarballHeadersConditionalAndRangeRequests() throws Exception {
        TestServer s = server(Map.of("packbase.seed", "false"));
        assertEquals(200, s.postJson("/api/fetch", fetchBody()).statusCode());
        byte[] file = s.stored("p/zlib-lite/tag/v1.0.0.tar.gz");
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(file));

        HttpResponse<byte[]> plain = s.getBytes("/p/zlib-lite/tag/v1.0.0.tar.gz");
        assertEquals(200, plain.statusCode());
        assertEquals("application/gzip", plain.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(String.valueOf(file.length), plain.headers().firstValue("Content-Length").orElseThrow());
        assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty());
        assertEquals("\"" + sha + "\"", plain.headers().firstValue("ETag").orElseThrow());
        assertTrue(plain.headers().firstValue("Cache-Control").orElseThrow().contains("immutable"));

        HttpResponse<String> head = s.send(HttpRequest.newBuilder(s.uri("/p/zlib-lite/tag/v1.0.0.tar.gz"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(file.length), head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("", head.body());

        assertEquals(304, s.getBytes("/p/zlib-lite/tag/v1.0.0.tar.gz", "If-None-Match", "\"" + sha + "\"").statusCode());
        assertEquals(200, s.getBytes("/p/zlib-lite/tag/v1.0.0.tar.gz", "If-None-Match", "\"other\"").statusCode());

        HttpResponse<byte[]> range = s.getBytes("/p/zlib-lite/tag/v1.0.0.tar.gz", "Range", "bytes=10-19");
        assertEquals(206, range.statusCode());
        assertArrayEquals(java.util.Arrays.copyOfRange(file, 10, 20), range.body());
        assertEquals("bytes 10-19/" + file.length, range.headers().firstValue("Content-Range").orElseThrow());
        assertEquals(200, s.getBytes("/p/zlib-lite/tag/v1.0.0.tar.gz", "Range", "bytes=0-1",
                "If-Range", "\"stale\"").statusCode(), "a stale If-Range gets the whole tarball");
        assertEquals(416, s.getBytes("/p/zlib-lite/tag/v1.0.0.tar.gz", "Range", "bytes=999999-").statusCode());

        assertError(s.get("/p/zlib-lite/tag/v9.9.9.tar.gz"), 404, "not_found", "v9.9.9");
        assertError(s.get("/p/nope/tag/v1.0.0.tar.gz"), 404, "not_found", "nope");
        HttpResponse<String> manifest = s.get("/p/zlib-lite/tag/v1.0.0.json");
        assertEquals(200, manifest.statusCode());
        assertEquals(sha, json(manifest).path("tarball").path("sha256").asText());
    }

    @Test
    void tokenGuardsFetch() throws Exception {
        TestServer s = server(Map.of("packbase.seed", "false", "packbase.token", "s3cret"));
        HttpResponse<String> missing = s.postJson("/api/fetch", fetchBody());
        assertError(missing, 401, "unauthorized", "Authorization");
        assertTrue(missing.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertError(s.postJson("/api/fetch", fetchBody(), "Authorization", "Bearer wrong"), 403, "forbidden", "token");
        assertError(s.postJson("/api/fetch", fetchBody(), "Authorization", "Basic czNjcmV0"), 403, "forbidden", "token");
        assertEquals(200, s.postJson("/api/fetch", fetchBody(), "Authorization", "Bearer s3cret").statusCode());
        assertFalse(s.storedText(".packbase/info/zlib-lite.json").contains("s3cret"));
        String snapshot = Await.value("the coalescing writer to persist the snapshot", Duration.ofSeconds(30),
                () -> s.storedText(".packbase/package-info.json"), text -> text.contains("zlib-lite"));
        assertFalse(snapshot.contains("s3cret"));
    }

    @Test
    void badRequestsAreClearFourHundredsThatLeaveNothingBehind() throws Exception {
        TestServer s = server(Map.of("packbase.seed", "false", "packbase.max.request.bytes", "2048"));
        assertError(s.postJson("/api/fetch", "{not json"), 400, "bad_request", "malformed JSON");
        assertError(s.postJson("/api/fetch", ""), 400, "bad_request", "missing JSON body");
        assertError(s.postJson("/api/fetch", "[1,2]"), 400, "bad_request", "object");
        assertError(s.postJson("/api/fetch", "{}"), 400, "bad_request", "\"url\"");
        assertError(s.postJson("/api/fetch", "{\"url\": 42}"), 400, "bad_request", "string");
        assertError(s.postJson("/api/fetch", "{\"url\": \"ssh://host/o/r\"}"), 400, "bad_request", "ssh");
        assertError(s.postJson("/api/fetch", "{\"url\": \"" + repo.fileUrl() + "\"}"), 400, "bad_request", "file");
        assertError(s.postJson("/api/fetch", "{\"url\": \"https://\"}"), 400, "bad_request", "https://");
        assertError(s.postJson("/api/fetch", "{\"url\": \"https://h/o/r\", \"name\": \"../etc\"}"), 400,
                "bad_request", "../etc");
        assertError(s.postJson("/api/fetch", "{\"url\": \"https://h/o/api\"}"), 400, "bad_request", "api");
        String huge = "{\"url\": \"" + "x".repeat(5000) + "\"}";
        assertError(s.postJson("/api/fetch", huge), 413, "payload_too_large", "2048");
        HttpResponse<String> chunkedHuge = s.send(HttpRequest.newBuilder(s.uri("/api/fetch"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(huge.getBytes()))));
        assertError(chunkedHuge, 413, "payload_too_large", "2048");

        try (Stream<Path> files = Files.walk(root)) {
            // The audit log records the refused calls too (README "Audit"); nothing else may be written.
            List<String> written = files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString())
                    .filter(p -> !p.equals(".packbase/audit.log")).toList();
            assertEquals(List.of(), written, "no partial file, lock or state");
        }
        List<String> outcomes = Files.readAllLines(root.resolve(".packbase/audit.log")).stream()
                .map(l -> l.replaceAll(".*\"outcome\":\"([a-z_]+)\".*", "$1")).distinct().sorted().toList();
        assertEquals(List.of("bad_request", "payload_too_large"), outcomes, "each refused fetch has its line");
        assertEquals(List.of(), s.storedKeys().stream().filter(k -> !k.equals(".packbase/audit.log")).toList(),
                "no partial object or state in the store");
    }

    @Test
    void conflictsNoTagsAndUpstreamFailures() throws Exception {
        TestServer s = server(Map.of("packbase.seed", "false", "packbase.fetch.allowed.schemes", "https,http,file"));
        assertEquals(200, s.postJson("/api/fetch", fetchBody()).statusCode());
        assertEquals(200, s.postJson("/api/fetch", "{\"url\":\"" + backend.url("zlib-lite").replace(".git", "")
                + "/\"}").statusCode(), "the same upstream spelled differently is not a conflict");

        UpstreamRepo other = UpstreamRepo.create(upstreamRoot, "other", scratch);
        other.write("x.txt", "x");
        other.lightweightTag("v1.0.0", other.commit("x", Fixtures.T1)).publish();
        HttpResponse<String> conflict = s.postJson("/api/fetch",
                "{\"url\":\"" + backend.url("other") + "\", \"name\": \"zlib-lite\"}");
        assertError(conflict, 409, "conflict", "zlib-lite");
        assertEquals("zlib-lite", json(conflict).path("package").asText());
        assertEquals(200, s.postJson("/api/fetch", "{\"url\":\"" + other.fileUrl() + "\"}").statusCode(),
                "file: URLs work when the setting allows them");

        UpstreamRepo untagged = UpstreamRepo.create(upstreamRoot, "untagged", scratch);
        untagged.write("a", "a").commit("a", Fixtures.T1);
        untagged.publish();
        assertError(s.postJson("/api/fetch", "{\"url\":\"" + backend.url("untagged") + "\"}"), 422, "no_tags", "no tags");
        assertError(s.postJson("/api/fetch", "{\"url\":\"" + backend.url("missing") + "\"}"), 502, "upstream_failed",
                "missing");
        assertEquals(List.of("other", "zlib-lite"), JSON.convertValue(json(s.get("/api/list")).path("local_packages"),
                List.class), "failed fetches register nothing");
    }

    @Test
    void concurrentFetchesOfOnePackageDoNotCorruptAnything() throws Exception {
        TestServer s = server(Map.of("packbase.seed", "false"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<HttpResponse<String>>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit((Callable<HttpResponse<String>>) () -> s.postJson("/api/fetch", fetchBody())));
            }
            int created = 0;
            for (Future<HttpResponse<String>> r : results) {
                HttpResponse<String> response = r.get();
                assertEquals(200, response.statusCode(), response.body());
                created += json(response).path("tarballs_created").asInt();
                assertEquals(3, json(response).path("tarball_count").asInt());
            }
            assertEquals(3, created, "each tarball is created exactly once");
        } finally {
            pool.shutdownNow();
        }
        assertTrue(json(s.get("/api/info/zlib-lite")).path("healthy").asBoolean());
    }

    @Test
    void everyFailureOnTheApiPathsIsJson() throws Exception {
        TestServer s = server(Map.of("packbase.seed", "false"));
        assertError(s.get("/api/nope"), 404, "not_found", "/api/nope");
        assertError(s.get("/nothing/here"), 404, "not_found", "/nothing/here");
        HttpResponse<String> wrongMethod = s.get("/api/fetch");
        assertError(wrongMethod, 405, "method_not_allowed", "POST");
        assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElseThrow());
        assertError(s.postJson("/api/list", "{}"), 405, "method_not_allowed", "GET");
        assertError(s.send(HttpRequest.newBuilder(s.uri("/p/zlib-lite/tag/v1.0.0.tar.gz"))
                .DELETE()), 405, "method_not_allowed", "GET");
        HttpResponse<String> missing = s.get("/api/info/missing-package");
        assertError(missing, 404, "not_found", "missing-package");
        assertEquals("missing-package", json(missing).path("package").asText());
        for (String hidden : List.of("/WEB-INF/web.xml", "/META-INF/MANIFEST.MF", "/dev/packbase/runner/Bootstrap.class")) {
            HttpResponse<String> r = s.get(hidden);
            assertTrue(r.statusCode() == 403 || r.statusCode() == 404, hidden + " -> " + r.statusCode());
            assertTrue(json(r).has("status"), hidden + ": " + r.body());
        }

        JsonNode rootDoc = json(s.get("/"));
        assertEquals("packbase", rootDoc.path("service").asText());
        assertNull(rootDoc.get("stack"));
    }

    @Test
    void updateOverHttpWithCooldownAndStatus() throws Exception {
        Path catalog = scratch.resolve("catalog.json");
        Files.writeString(catalog, "{\"packages\":[{\"name\":\"zlib-lite\",\"url\":\"" + backend.url("zlib-lite")
                + "\"},{\"name\":\"remote-only\",\"url\":\"" + backend.url("remote-only") + "\"}]}");
        TestServer s = server(Map.of("packbase.source", catalog.toUri().toString(), "packbase.update.cooldown.seconds", "600"));
        HttpResponse<String> run = s.postJson("/api/update", "");
        assertEquals(200, run.statusCode(), run.body());
        JsonNode r = json(run);
        assertEquals("ok", r.path("status").asText());
        assertEquals(2, r.path("repos_scanned").asInt());
        assertEquals(1, r.path("packages_synced").asInt());
        assertEquals(3, r.path("tarballs_created").asInt());
        assertTrue(r.path("source_changed").asBoolean());
        assertEquals(2, r.path("source_packages").asInt());
        assertEquals(2, r.path("source_added").asInt());
        assertEquals(0, r.path("source_updated").asInt());
        assertEquals(0, r.path("source_removed").asInt());
        assertEquals(1, r.path("packages_failed").asInt());

        HttpResponse<String> again = s.postJson("/api/update", "");
        assertError(again, 429, "cooldown", "PACKBASE_UPDATE_COOLDOWN_SECONDS");
        long retry = Long.parseLong(again.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retry > 0 && retry <= 600, "Retry-After " + retry);
        assertEquals(1, json(again).path("update").path("last_result").path("packages_synced").asInt());

        JsonNode list = json(s.get("/api/list"));
        assertEquals(List.of("hello", "remote-only", "zlib-lite"), JSON.convertValue(list.path("packages"), List.class));
        assertEquals(List.of("hello", "zlib-lite"), JSON.convertValue(list.path("local_packages"), List.class));
        assertEquals(List.of("remote-only", "zlib-lite"), JSON.convertValue(list.path("registered_packages"), List.class));
        JsonNode status = json(s.get("/api/status"));
        assertEquals("idle", status.path("update").path("state").asText());
        assertEquals(2, status.path("update").path("source_packages").asInt());
        assertTrue(status.path("update").path("updated_at").asLong() > 1_700_000_000L);
        assertEquals(3, status.path("packages_total").asInt());
        assertEquals(2, status.path("packages_healthy").asInt());
        assertEquals(1, status.path("packages_unhealthy").asInt());
        JsonNode remote = json(s.get("/api/info/remote-only"));
        assertFalse(remote.path("available").asBoolean());
        assertTrue(remote.path("registered").asBoolean());
        assertFalse(remote.path("local").asBoolean());
    }

    @Test
    void theSeedPackageIsServedFromAFreshRoot() throws Exception {
        TestServer s = server(Map.of());
        JsonNode list = json(s.get("/api/list"));
        assertEquals(List.of("hello"), JSON.convertValue(list.path("local_packages"), List.class));
        HttpResponse<byte[]> hello = s.getBytes("/p/hello/tag/v0.1.0.tar.gz");
        assertEquals(200, hello.statusCode());
        var entries = dev.packbase.testing.Tarballs.entries(dev.packbase.testing.Tarballs.gunzip(hello.body()));
        assertTrue(entries.containsKey("hello-v0.1.0/build.zig.zon"), entries.keySet().toString());
        assertTrue(entries.containsKey("hello-v0.1.0/src/root.zig"));
        assertTrue(json(s.get("/api/info/hello")).path("healthy").asBoolean());
    }
}
