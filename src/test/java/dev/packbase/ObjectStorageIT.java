package dev.packbase;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Await;
import dev.packbase.testing.CatalogServer;
import dev.packbase.testing.Cmd;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.ReverseProxy;
import dev.packbase.testing.S3Engine;
import dev.packbase.testing.StandaloneProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Stateless nodes on one bucket of a real S3 server (versitygw), each a {@code java -jar packbase.war}
 * with its own local directory and nothing shared but the bucket: a package fetched through one node is
 * served by the others (two writable, one read-only) within the reload interval, with the same bytes and
 * headers; concurrent fetches of
 * one package end with one tarball set and one record; the engine stopped under load is a 503 with
 * Retry-After, and service resumes by itself; a node killed mid-ingest leaves nothing partial.
 */
class ObjectStorageIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private S3Engine engine;
    private String bucket;
    private GitHttpBackend upstream;
    private final List<StandaloneProcess> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void start() throws Exception {
        engine = S3Engine.start(dir);
        bucket = engine.newBucket();
        Path upstreamRoot = Files.createDirectories(dir.resolve("upstream"));
        Fixtures.richRepo(upstreamRoot, "zlib-lite", Files.createDirectories(dir.resolve("scratch")));
        upstream = GitHttpBackend.start(upstreamRoot);
    }

    @AfterEach
    void stop() {
        nodes.forEach(StandaloneProcess::close);
        if (upstream != null) {
            upstream.close();
        }
        engine.close();
    }

    private StandaloneProcess node(String name, Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(engine.nodeEnvironment(bucket, "registry", dir.resolve("node-" + name)));
        env.put("PACKBASE_ROOT", dir.resolve("root-" + name).toString());
        env.put("PACKBASE_RELOAD_SECONDS", "1");
        env.putAll(extra);
        StandaloneProcess node = StandaloneProcess.start(StandaloneProcess.packagedWar(), env);
        nodes.add(node);
        return node;
    }

    private HttpResponse<byte[]> get(StandaloneProcess node, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(node.uri(path)).timeout(Duration.ofSeconds(60));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> fetch(StandaloneProcess node, String repo) throws Exception {
        return http.send(HttpRequest.newBuilder(node.uri("/api/fetch")).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + upstream.url(repo) + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private List<String> objects(String prefix) {
        try (S3Client s3 = engine.client()) {
            return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                    .map(S3Object::key).sorted().collect(Collectors.toList());
        }
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void aPackageFetchedThroughOneNodeIsServedByTheOtherWithTheSameAnswers() throws Exception {
        StandaloneProcess a = node("a", Map.of());
        StandaloneProcess b = node("b", Map.of("PACKBASE_SEED", "false"));
        StandaloneProcess edge = node("edge", Map.of("PACKBASE_READ_ONLY", "true"));
        HttpResponse<String> refused = fetch(edge, "zlib-lite");
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("read_only", JSON.readTree(refused.body()).path("status").asText());
        HttpResponse<String> fetched = fetch(a, "zlib-lite");
        assertEquals(200, fetched.statusCode(), fetched.body());
        assertTrue(objects("registry/p/zlib-lite/tag/").contains("registry/p/zlib-lite/tag/v1.1.0.tar.gz"),
                "the tarball is an object in the bucket, under the prefix");

        Await.until("node b to serve what node a fetched\n" + b.output(), Duration.ofSeconds(60),
                () -> get(b, "/p/zlib-lite/tag/v1.1.0.tar.gz").statusCode() == 200);
        HttpResponse<byte[]> fromA = get(a, "/p/zlib-lite/tag/v1.1.0.tar.gz");
        HttpResponse<byte[]> fromB = get(b, "/p/zlib-lite/tag/v1.1.0.tar.gz");
        assertArrayEquals(fromA.body(), fromB.body());
        for (String h : List.of("ETag", "Last-Modified", "Content-Type", "Content-Length", "Cache-Control")) {
            assertEquals(header(fromA, h), header(fromB, h), h);
        }
        String etag = header(fromB, "ETag");
        assertEquals(304, get(b, "/p/zlib-lite/tag/v1.1.0.tar.gz", "If-None-Match", etag).statusCode());
        HttpResponse<byte[]> range = get(b, "/p/zlib-lite/tag/v1.1.0.tar.gz", "Range", "bytes=10-19");
        assertEquals(206, range.statusCode());
        assertArrayEquals(java.util.Arrays.copyOfRange(fromA.body(), 10, 20), range.body());
        HttpResponse<byte[]> head = http.send(HttpRequest.newBuilder(b.uri("/p/zlib-lite/tag/v1.1.0.tar.gz"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(header(fromA, "Content-Length"), header(head, "Content-Length"));

        Await.until("the read-only node to serve it too", Duration.ofSeconds(60),
                () -> get(edge, "/p/zlib-lite/tag/v1.1.0.tar.gz").statusCode() == 200);
        assertArrayEquals(fromA.body(), get(edge, "/p/zlib-lite/tag/v1.1.0.tar.gz").body());
        JsonNode info = JSON.readTree(get(b, "/api/info/zlib-lite").body());
        assertTrue(info.path("healthy").asBoolean(), info.toString());
        Path work = Files.createDirectories(dir.resolve("work"));
        Cmd.run(work, Map.of("HOME", work.toString()), List.of("git", "clone", "-q", b.uri("/zlib-lite").toString(), "c"));
        assertTrue(Files.exists(work.resolve("c/build.zig")), "a Git clone through the node that did not fetch");
        assertFalse(Files.exists(dir.resolve("root-a/p")), "no tarball on a node's disk: the bucket holds them");
    }

    @Test
    void twoNodesFetchingOnePackageAtOnceEndWithOneTarballSetAndOneRecord() throws Exception {
        StandaloneProcess a = node("a", Map.of());
        StandaloneProcess b = node("b", Map.of());
        CompletableFuture<HttpResponse<String>> onA = CompletableFuture.supplyAsync(() -> call(() -> fetch(a, "zlib-lite")));
        CompletableFuture<HttpResponse<String>> onB = CompletableFuture.supplyAsync(() -> call(() -> fetch(b, "zlib-lite")));
        HttpResponse<String> ra = onA.join();
        HttpResponse<String> rb = onB.join();
        assertEquals(200, ra.statusCode(), ra.body());
        assertEquals(200, rb.statusCode(), rb.body());
        JsonNode ja = JSON.readTree(ra.body());
        JsonNode jb = JSON.readTree(rb.body());
        assertEquals(ja.path("tarball_count").asInt(), jb.path("tarball_count").asInt());
        int created = ja.path("tarballs_created").asInt() + jb.path("tarballs_created").asInt();
        assertEquals(ja.path("tarball_count").asInt(), created, "each tarball was created by exactly one node: " + ra.body()
                + " / " + rb.body());

        Await.until("both nodes to agree", Duration.ofSeconds(60), () -> {
            String la = JSON.readTree(get(a, "/api/info/zlib-lite").body()).path("tarballs").toString();
            String lb = JSON.readTree(get(b, "/api/info/zlib-lite").body()).path("tarballs").toString();
            return la.equals(lb) && !la.equals("[]") && !la.isEmpty();
        });
        for (String tag : List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1")) {
            assertArrayEquals(get(a, "/p/zlib-lite/tag/" + tag + ".tar.gz").body(), get(b, "/p/zlib-lite/tag/" + tag + ".tar.gz").body());
            assertArrayEquals(get(a, "/p/zlib-lite/tag/" + tag + ".json").body(), get(b, "/p/zlib-lite/tag/" + tag + ".json").body(),
                    "one manifest: the loser adopted the winner's");
        }
        JsonNode record = JSON.readTree(engine.objectFile(bucket, "registry/.packbase/packages/zlib-lite.json").toFile());
        assertEquals(ja.path("tarball_count").asInt(), record.path("tags").size(), "one record with every tag");
        for (StandaloneProcess n : List.of(a, b)) {
            Cmd.Result refs = Cmd.exec(dir, Map.of("HOME", dir.toString()), List.of("git", "ls-remote", "--tags",
                    n.uri("/zlib-lite").toString()));
            for (String tag : List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1")) {
                assertTrue(refs.stdout().contains("refs/tags/" + tag), "every tag is a Git ref on each node: " + refs.stdout());
            }
        }
    }

    @Test
    void theEngineGoneIsA503WithRetryAfterAndServiceResumesByItself() throws Exception {
        StandaloneProcess a = node("a", Map.of("PACKBASE_S3_TIMEOUT_SECONDS", "2", "PACKBASE_S3_CACHE_BYTES", "0"));
        assertEquals(200, fetch(a, "zlib-lite").statusCode());
        // Load through the whole outage: four clients downloading and asking the API all along.
        java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.Map<Integer, java.util.concurrent.atomic.AtomicInteger> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        List<CompletableFuture<Void>> load = new ArrayList<>();
        List<String> odd = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int c = 0; c < 4; c++) {
            String path = c % 2 == 0 ? "/p/zlib-lite/tag/v1.0.0.tar.gz" : "/api/info/zlib-lite";
            load.add(CompletableFuture.runAsync(() -> {
                while (loading.get()) {
                    HttpResponse<byte[]> r = call(() -> get(a, path));
                    statuses.computeIfAbsent(r.statusCode(), k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
                    if (r.statusCode() != 200 && r.statusCode() != 503) {
                        odd.add(path + ": " + r.statusCode() + " " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
            }));
        }
        engine.stop();
        HttpResponse<byte[]> down = get(a, "/p/zlib-lite/tag/v1.1.0.tar.gz");
        assertEquals(503, down.statusCode(), new String(down.body()));
        assertEquals("storage_unavailable", header(down, "X-Packbase-Error"));
        assertTrue(Integer.parseInt(header(down, "Retry-After")) > 0);
        HttpResponse<String> api = fetch(a, "zlib-lite");
        assertEquals(503, api.statusCode(), api.body());
        assertEquals("storage_unavailable", JSON.readTree(api.body()).path("status").asText());
        assertFalse(api.body().contains("Exception"), "no stack trace: " + api.body());
        Path work = Files.createDirectories(dir.resolve("work"));
        Cmd.Result clone = Cmd.exec(work, Map.of("HOME", work.toString()),
                List.of("git", "clone", "-q", a.uri("/zlib-lite").toString(), "gone"));
        assertTrue(clone.exit() != 0 && clone.stderr().contains("unavailable"), clone.stderr());

        engine.restart();
        Await.until("service to resume after the engine is back", Duration.ofSeconds(60),
                () -> get(a, "/p/zlib-lite/tag/v1.1.0.tar.gz").statusCode() == 200);
        assertEquals(200, fetch(a, "zlib-lite").statusCode());
        loading.set(false);
        CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(java.util.Set.of(200, 503), statuses.keySet(), "under load: served, or 503 while the engine was away, "
                + "never anything else: " + statuses + " " + odd);
    }

    @Test
    void twoNodesBehindCaddyServeOneRegistry() throws Exception {
        StandaloneProcess a = node("a", Map.of("PACKBASE_TRUSTED_PROXIES", "127.0.0.1"));
        StandaloneProcess b = node("b", Map.of("PACKBASE_SEED", "false", "PACKBASE_TRUSTED_PROXIES", "127.0.0.1"));
        try (ReverseProxy caddy = ReverseProxy.balancing(List.of(a.baseUri(), b.baseUri()), dir.resolve("caddy"))) {
            HttpResponse<String> fetched = http.send(HttpRequest.newBuilder(caddy.uri("/api/fetch")).POST(
                    HttpRequest.BodyPublishers.ofString("{\"url\":\"" + upstream.url("zlib-lite") + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, fetched.statusCode(), fetched.body());
            byte[] first = Await.value("every node behind the balancer to serve the package", Duration.ofSeconds(60), () -> {
                byte[] one = http.send(HttpRequest.newBuilder(caddy.uri("/p/zlib-lite/tag/v1.1.0.tar.gz")).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).body();
                byte[] two = http.send(HttpRequest.newBuilder(caddy.uri("/p/zlib-lite/tag/v1.1.0.tar.gz")).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).body();
                return java.util.Arrays.equals(one, two) ? one : null;
            }, bytes -> bytes != null && bytes.length > 100);
            for (int i = 0; i < 6; i++) {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(caddy.uri("/p/zlib-lite/tag/v1.1.0.tar.gz")).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, r.statusCode());
                assertArrayEquals(first, r.body(), "the same bytes whichever node answers");
            }
            Path work = Files.createDirectories(dir.resolve("work"));
            Cmd.run(work, Map.of("HOME", work.toString()), List.of("git", "clone", "-q", caddy.uri("/zlib-lite").toString(), "c"));
            assertTrue(Files.exists(work.resolve("c/build.zig")), "a Git clone through the balancer");
        }
    }

    @Test
    void presignedRedirectsSendClientsToTheEngineWhenAskedFor() throws Exception {
        StandaloneProcess a = node("a", Map.of("PACKBASE_S3_PRESIGNED_REDIRECT_SECONDS", "300"));
        assertEquals(200, fetch(a, "zlib-lite").statusCode());
        HttpResponse<byte[]> redirect = get(a, "/p/zlib-lite/tag/v1.1.0.tar.gz");
        assertEquals(302, redirect.statusCode());
        String location = header(redirect, "Location");
        assertTrue(location.startsWith(engine.endpoint() + "/" + bucket + "/registry/p/zlib-lite/tag/v1.1.0.tar.gz?"), location);
        assertTrue(location.contains("X-Amz-Signature="), location);
        assertTrue(location.length() < 1024, "short enough for Zig 0.15 on this engine: " + location.length());
        HttpResponse<byte[]> direct = http.send(HttpRequest.newBuilder(java.net.URI.create(location)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, direct.statusCode());
        assertArrayEquals(Files.readAllBytes(engine.objectFile(bucket, "registry/p/zlib-lite/tag/v1.1.0.tar.gz")), direct.body());
        assertEquals(304, get(a, "/p/zlib-lite/tag/v1.1.0.tar.gz", "If-None-Match", header(redirect, "ETag")).statusCode());
        HttpResponse<byte[]> followed = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()
                .send(HttpRequest.newBuilder(a.uri("/p/zlib-lite/tag/v1.1.0.tar.gz")).header("Range", "bytes=0-9").build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, followed.statusCode(), "the engine answers the range");
        assertArrayEquals(java.util.Arrays.copyOf(direct.body(), 10), followed.body());

        StandaloneProcess off = node("b", Map.of("PACKBASE_SEED", "false"));
        Await.until("the default node to see the package", Duration.ofSeconds(60),
                () -> get(off, "/p/zlib-lite/tag/v1.1.0.tar.gz").statusCode() == 200);
        assertArrayEquals(direct.body(), get(off, "/p/zlib-lite/tag/v1.1.0.tar.gz").body(), "off by default: served in place");
    }

    @Test
    void anUpdateRunIsSingleFlightAcrossNodesAndANodeKilledDuringOneReleasesItAfterTheLease() throws Exception {
        try (CatalogServer catalog = new CatalogServer()) {
            Map<String, String> settings = Map.of("PACKBASE_SEED", "false", "PACKBASE_SOURCE", catalog.uri().toString(),
                    "PACKBASE_UPDATE_COOLDOWN_SECONDS", "0");
            StandaloneProcess a = node("a", settings);
            StandaloneProcess b = node("b", settings);
            catalog.hold();
            CompletableFuture<HttpResponse<String>> run = CompletableFuture.supplyAsync(() -> call(() -> update(a)));
            catalog.awaitHeld();

            HttpResponse<String> refused = update(b);
            assertEquals(503, refused.statusCode(), refused.body());
            JsonNode error = JSON.readTree(refused.body());
            assertEquals("busy", error.path("status").asText(), refused.body());
            String runner = error.path("update").path("node").asText();
            assertTrue(error.path("message").asText().contains(runner), refused.body());
            Await.until("b to show a's run", Duration.ofSeconds(30), () -> "running".equals(updateState(b).path("state").asText()));
            StandaloneProcess late = node("c", settings);
            assertEquals("running", updateState(late).path("state").asText(), "a node that starts during the run leaves it running");
            assertEquals(runner, updateState(late).path("node").asText());

            catalog.release();
            HttpResponse<String> done = run.join();
            assertEquals(200, done.statusCode(), done.body());
            Await.until("every node to show the run's end", Duration.ofSeconds(30), () -> List.of(a, b, late).stream()
                    .allMatch(n -> call(() -> updateState(n)).path("state").asText().equals("idle")));

            // A run whose node dies keeps the others out until its lease runs out, then any node runs.
            catalog.hold();
            int before = catalog.requests();
            CompletableFuture<Void> lost = CompletableFuture.runAsync(() -> call(() -> update(a))).exceptionally(e -> null);
            Await.until("a's second run to ask for the catalog", Duration.ofSeconds(30), () -> catalog.requests() > before);
            a.process().destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            lost.get(30, java.util.concurrent.TimeUnit.SECONDS);
            catalog.release();
            assertEquals(503, update(b).statusCode(), "inside the lease the killed node's run still counts");
            Await.until("the lease to run out", Duration.ofSeconds(120), () -> "failed".equals(updateState(b).path("state").asText()));
            assertTrue(updateState(b).path("error").asText().contains("interrupted"), updateState(b).toString());
            HttpResponse<String> next = update(b);
            assertEquals(200, next.statusCode(), next.body());
            Await.until("c to show b's run", Duration.ofSeconds(30),
                    () -> updateState(late).path("node").asText().equals(JSON.readTree(get(b, "/api/status").body())
                            .path("update").path("node").asText()) && "idle".equals(updateState(late).path("state").asText()));
        }
    }

    private HttpResponse<String> update(StandaloneProcess node) throws Exception {
        return http.send(HttpRequest.newBuilder(node.uri("/api/update")).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode updateState(StandaloneProcess node) throws Exception {
        return JSON.readTree(get(node, "/api/status").body()).path("update");
    }

    /** kill -9 of a node after its n-th upload has begun (a file appears in its local upload area). */
    @org.junit.jupiter.params.ParameterizedTest(name = "killed after upload {0} began")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 5, 12})
    void aNodeKilledMidIngestLeavesNoPartialObjectAndTheNextFetchCompletes(int killAtUpload) throws Exception {
        int tags = 8;
        Path heavyRoot = Files.createDirectories(dir.resolve("heavy-upstream"));
        Fixtures.heavyRepo(heavyRoot, "heavy", Files.createDirectories(dir.resolve("heavy-scratch")), tags);
        try (GitHttpBackend heavy = GitHttpBackend.start(heavyRoot)) {
            Path uploads = Files.createDirectories(dir.resolve("node-k/uploads"));
            StandaloneProcess first = node("k", Map.of("PACKBASE_SEED", "false"));
            try (java.nio.file.WatchService watch = java.nio.file.FileSystems.getDefault().newWatchService()) {
                uploads.register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
                CompletableFuture<Void> pending = CompletableFuture.runAsync(() -> call(() -> http.send(
                        HttpRequest.newBuilder(first.uri("/api/fetch")).POST(HttpRequest.BodyPublishers.ofString(
                                "{\"url\":\"" + heavy.url("heavy") + "\"}")).build(), HttpResponse.BodyHandlers.ofString())))
                        .exceptionally(e -> null);
                int seen = 0;
                while (seen < killAtUpload) {
                    java.nio.file.WatchKey key = watch.poll(60, java.util.concurrent.TimeUnit.SECONDS);
                    if (key == null) {
                        throw new AssertionError("no upload seen\n" + first.output());
                    }
                    seen += key.pollEvents().size();
                    key.reset();
                }
                first.process().destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
                pending.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertEveryVisibleTarballIsComplete("registry/p/heavy/tag/");
            assertTrue(objects("registry/p/heavy/tag/").stream().filter(k -> k.endsWith(".tar.gz")).count() < tags,
                    "the kill landed in the middle of the ingest");

            StandaloneProcess second = node("k2", Map.of("PACKBASE_SEED", "false"));
            HttpResponse<String> done = http.send(HttpRequest.newBuilder(second.uri("/api/fetch")).POST(
                    HttpRequest.BodyPublishers.ofString("{\"url\":\"" + heavy.url("heavy") + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, done.statusCode(), done.body());
            assertEquals(tags, JSON.readTree(done.body()).path("tarball_count").asInt(), done.body());
            assertEveryVisibleTarballIsComplete("registry/p/heavy/tag/");
            assertTrue(JSON.readTree(get(second, "/api/info/heavy").body()).path("healthy").asBoolean());
        }
    }

    /** Every visible .tar.gz in the bucket gunzips whole; where a manifest exists, the bytes match it. */
    private void assertEveryVisibleTarballIsComplete(String prefix) throws Exception {
        try (S3Client s3 = engine.client()) {
            for (String key : objects(prefix)) {
                if (!key.endsWith(".tar.gz")) {
                    continue;
                }
                byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
                assertTrue(dev.packbase.testing.Tarballs.gunzip(bytes).length > 0, key);
                String manifest = key.replace(".tar.gz", ".json");
                if (objects(manifest).contains(manifest)) {
                    JsonNode m = JSON.readTree(s3.getObjectAsBytes(b -> b.bucket(bucket).key(manifest)).asByteArray());
                    assertEquals(m.path("tarball").path("sha256").asText(), java.util.HexFormat.of().formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(bytes)), key);
                }
            }
        }
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    private static <T> T call(Call<T> c) {
        try {
            return c.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
