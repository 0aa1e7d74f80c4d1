package dev.packbase.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.packbase.testing.StandaloneProcess;

/** {@code java -jar target/packbase.war}: boots, hides the archive's own files, fails fast on bad settings. */
class StandaloneBootIT {

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dataRoot;
    @TempDir
    static Path tmp;

    private static Path war;
    private static StandaloneProcess server;
    private static HttpClient http;

    @BeforeAll
    static void boot() {
        war = StandaloneProcess.packagedWar();
        server = StandaloneProcess.builder(war)
                .env("PACKBASE_ROOT", dataRoot.toString())
                .env("PACKBASE_ACCESS_LOG", tmp.resolve("access.log").toString())
                .jvmArg("-Djava.io.tmpdir=" + tmp)
                .start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void standaloneWritesTheAccessLogItWasAskedFor() throws Exception {
        http.send(HttpRequest.newBuilder(server.uri("/api/status?access-log-probe")).build(),
                HttpResponse.BodyHandlers.discarding());
        server.close();
        String log = java.nio.file.Files.readString(tmp.resolve("access.log"));
        assertTrue(log.contains("GET /api/status?access-log-probe HTTP/1.1\" 200"), log);
        boot();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev/packbase/runner/Bootstrap.class", "dev/packbase/runner/StandaloneServer.class",
            "WEB-INF/web.xml", "META-INF/MANIFEST.MF"})
    void archiveInternalsAreNotServed(String entry) throws Exception {
        byte[] fileBytes = entryBytes(entry);
        HttpResponse<byte[]> response = get("/" + entry);
        int status = response.statusCode();
        assertTrue(status == 403 || status == 404, () -> "GET /" + entry + " answered " + status + "\n" + server.output());
        assertFalse(Arrays.equals(fileBytes, response.body()), "GET /" + entry + " returned the file itself");
    }

    /** The seeded {@code hello} package's release tarball (needs the real webapp, not a placeholder). */
    @Test
    void seededHelloTarballDownloads() throws Exception {
        HttpResponse<byte[]> response = get("/p/hello/tag/v0.1.0.tar.gz");
        assertEquals(200, response.statusCode(), () -> "status\n" + server.output());
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        assertEquals("application/gzip", contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT),
                "Content-Type: " + contentType);
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
            assertTrue(in.readAllBytes().length > 0, "empty tarball");
        }
    }

    /**
     * The launcher answers cached tarballs from its fast path (TarballFastPathHandler), a second launcher with
     * the cache off answers everything from the servlet: both send the same status, headers and bytes.
     */
    @Test
    void fastPathAndServletSendTheSameTarballResponses(@TempDir Path otherRoot) throws Exception {
        StandaloneProcess uncached = StandaloneProcess.builder(war)
                .env("PACKBASE_ROOT", otherRoot.toString())
                .env("PACKBASE_TARBALL_CACHE_BYTES", "0")
                .jvmArg("-Djava.io.tmpdir=" + tmp)
                .start();
        try {
            String path = "/p/hello/tag/v0.1.0.tar.gz";
            String etag = get(path).headers().firstValue("ETag").orElseThrow(); // now cached
            String[][] requests = {
                {"GET"}, {"HEAD"}, {"GET", "If-None-Match", etag}, {"GET", "Range", "bytes=10-19"},
                {"GET", "Range", "bytes=-5"}, {"GET", "Range", "bytes=0-1", "If-Range", "\"stale\""},
                {"GET", "Range", "bytes=999999-"}, {"GET", "X-Probe", "1"}};
            for (String[] request : requests) {
                HttpResponse<byte[]> fast = send(server.uri(path), request);
                HttpResponse<byte[]> slow = send(uncached.uri(path), request);
                String what = String.join(" ", request) + "\n" + server.output();
                assertEquals(slow.statusCode(), fast.statusCode(), what);
                assertEquals(withoutDate(slow), withoutDate(fast), what);
                assertTrue(Arrays.equals(withoutRequestId(slow.body()), withoutRequestId(fast.body())), what);
            }
            assertEquals(200, send(server.uri(path), new String[] {"GET"}).statusCode());
        } finally {
            uncached.close();
        }
    }

    private static HttpResponse<byte[]> send(URI uri, String[] request) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(request[0], HttpRequest.BodyPublishers.noBody());
        for (int i = 1; i < request.length; i += 2) {
            b.header(request[i], request[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A body with the request id of a JSON error taken out. */
    private static byte[] withoutRequestId(byte[] body) {
        String text = new String(body, java.nio.charset.StandardCharsets.ISO_8859_1);
        return text.replaceFirst("\"request_id\":\"[0-9a-f]{32}\",?", "")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static java.util.Map<String, java.util.List<String>> withoutDate(HttpResponse<?> r) {
        java.util.Map<String, java.util.List<String>> h = new java.util.TreeMap<>(r.headers().map());
        h.keySet().removeIf(k -> k.equalsIgnoreCase("date"));
        // Each answer has its own id: compared by shape (fresh, 32 hex digits) on both paths.
        h.replaceAll((k, v) -> k.equalsIgnoreCase("x-request-id") && v.size() == 1 && v.get(0).matches("[0-9a-f]{32}")
                ? java.util.List.of("<fresh id>") : v);
        return h;
    }

    @Test
    void invalidPortExitsWithCode2NamingTheValue() {
        StandaloneProcess run = StandaloneProcess.builder(war)
                .env("PACKBASE_PORT", "notaport")
                .env("PACKBASE_ROOT", dataRoot.toString())
                .jvmArg("-Djava.io.tmpdir=" + tmp)
                .launch();
        int code = run.awaitExit(EXIT_TIMEOUT);
        assertEquals(2, code, run::output);
        assertTrue(run.output().contains("'notaport'"), run::output);
        assertTrue(run.output().contains("PACKBASE_PORT"), run::output);
        assertFalse(run.output().contains(StandaloneProcess.LISTENING_PREFIX), run::output);
    }

    @Test
    void unusableThreadCountExitsWithCode2NamingTheValue() {
        StandaloneProcess run = StandaloneProcess.builder(war)
                .env("PACKBASE_MAX_THREADS", "2")
                .env("PACKBASE_ROOT", dataRoot.toString())
                .jvmArg("-Djava.io.tmpdir=" + tmp)
                .launch();
        assertEquals(2, run.awaitExit(EXIT_TIMEOUT), run::output);
        assertTrue(run.output().contains("'2'") && run.output().contains("PACKBASE_MAX_THREADS"), run::output);
    }

    /**
     * Slowloris: connections that never finish their request headers neither block other clients nor
     * stay open past PACKBASE_IDLE_TIMEOUT_SECONDS.
     */
    @Test
    void silentConnectionsAreClosedAfterTheIdleTimeoutWhileOthersAreServed() throws Exception {
        Path root = java.nio.file.Files.createDirectories(tmp.resolve("idle-root"));
        try (StandaloneProcess idle = StandaloneProcess.builder(war)
                .env("PACKBASE_ROOT", root.toString())
                .env("PACKBASE_SEED", "false")
                .env("PACKBASE_IDLE_TIMEOUT_SECONDS", "1")
                .jvmArg("-Djava.io.tmpdir=" + tmp)
                .start()) {
            java.util.List<java.net.Socket> slow = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    java.net.Socket socket = new java.net.Socket(idle.baseUri().getHost(), idle.baseUri().getPort());
                    socket.getOutputStream().write("GET /api/status HTTP/1.1\r\nHost: x\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    slow.add(socket);
                }
                HttpResponse<String> status = http.send(HttpRequest.newBuilder(idle.uri("/api/status")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, status.statusCode(), "served while 50 connections stall");
                for (java.net.Socket socket : slow) {
                    // Far above the 1 s idle timeout and below the default 30 s: a read that times out means the server kept it open.
                    socket.setSoTimeout(15_000);
                    byte[] answer = socket.getInputStream().readAllBytes();
                    String text = new String(answer, java.nio.charset.StandardCharsets.ISO_8859_1);
                    assertTrue(text.isEmpty() || text.startsWith("HTTP/1.1 4"), "closed, at most with a 4xx: " + text);
                }
            } finally {
                for (java.net.Socket socket : slow) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void occupiedPortExitsNonZero() throws IOException {
        try (ServerSocket occupied = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(occupied.getLocalPort());
            StandaloneProcess run = StandaloneProcess.builder(war)
                    .env("PACKBASE_HOST", occupied.getInetAddress().getHostAddress())
                    .env("PACKBASE_PORT", port)
                    .env("PACKBASE_ROOT", dataRoot.toString())
                    .jvmArg("-Djava.io.tmpdir=" + tmp)
                    .launch();
            int code = run.awaitExit(EXIT_TIMEOUT);
            assertEquals(1, code, run::output);
            assertTrue(run.output().contains("failed to start"), run::output);
            assertTrue(run.output().contains(port), run::output);
        }
    }

    @Test
    void unknownArgumentPrintsUsageAndExitsWithCode2() {
        StandaloneProcess run = StandaloneProcess.builder(war).args("--frobnicate").launch();
        assertEquals(2, run.awaitExit(EXIT_TIMEOUT), run::output);
        assertTrue(run.output().contains("unknown argument '--frobnicate'"), run::output);
        assertTrue(run.output().contains("Usage:"), run::output);
    }

    @Test
    void helpPrintsUsageAndExitsWithCode0() {
        StandaloneProcess run = StandaloneProcess.builder(war).args("--help").launch();
        assertEquals(0, run.awaitExit(EXIT_TIMEOUT), run::output);
        assertTrue(run.output().contains("Usage:"), run::output);
    }

    private static HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        URI uri = server.uri(path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] entryBytes(String name) throws IOException {
        try (ZipFile zip = new ZipFile(war.toFile())) {
            ZipEntry entry = zip.getEntry(name);
            assertTrue(entry != null, "no " + name + " in " + war);
            try (InputStream in = zip.getInputStream(entry)) {
                return in.readAllBytes();
            }
        }
    }
}
