package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.testing.Fixtures;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.PktLine;
import dev.packbase.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile requests on every route: traversal in its encodings, malformed and oversized Git bodies, a
 * gzip bomb, junk JSON. No answer is a 5xx and none carries a byte from outside the root.
 */
class HostileRequestIT {
    private static final String SECRET = "packbase-secret-outside-the-root";

    @TempDir
    static Path outside;
    @TempDir
    static Path upstreamRoot;
    @TempDir
    static Path scratch;

    static Path root;
    static GitHttpBackend backend;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createDirectories(outside.resolve("root"));
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        Files.writeString(outside.resolve("secret.tar.gz"), SECRET);
        Fixtures.richRepo(upstreamRoot, "lib", scratch);
        backend = GitHttpBackend.start(upstreamRoot);
        server = TestServer.start(root, Map.of("packbase.seed", "false"));
        assertEquals(200, server.postJson("/api/fetch", "{\"url\":\"" + backend.url("lib") + "\"}").statusCode());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        backend.close();
    }

    /** Sends a raw request line (no client-side normalisation) and returns status line + body. */
    private static String raw(String target) throws Exception {
        URI base = server.uri("/");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            try (InputStream in = socket.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
        }
    }

    @Test
    void traversalInEveryEncodingOnEveryRouteFindsNothing() throws Exception {
        List<String> escapes = List.of("../", "..%2f", "%2e%2e/", "%2e%2e%2f", "%252e%252e%252f", "..\\", "..%5c",
                "%c0%ae%c0%ae/", "....//", ".%2e/");
        List<String> routes = List.of("/p/lib/tag/", "/p/", "/h/", "/git/lib.git/objects/pack/", "/lib/objects/pack/",
                "/api/info/", "/");
        int requests = 0;
        for (String route : routes) {
            for (String escape : escapes) {
                for (String target : List.of("secret.txt", "secret.tar.gz", "root/../secret.txt")) {
                    String response = raw(route + escape.repeat(6) + target);
                    int status = Integer.parseInt(response.substring(9, 12));
                    assertTrue(status < 500, route + escape + target + " -> " + response);
                    assertFalse(response.contains(SECRET), route + escape + target + " leaked: " + response);
                    requests++;
                }
            }
        }
        assertEquals(routes.size() * escapes.size() * 3, requests);
    }

    @Test
    void malformedGitRequestsAreRefusedInGitsTerms() throws Exception {
        List<byte[]> bodies = List.of(
                "zzzz".getBytes(StandardCharsets.US_ASCII),
                "0010abc".getBytes(StandardCharsets.US_ASCII),
                "ffffcommand=fetch".getBytes(StandardCharsets.US_ASCII),
                "0003".getBytes(StandardCharsets.US_ASCII),
                PktLine.encode("command=fetch\n", "0001", "want nothex\n", "done\n", "0000"),
                PktLine.encode("command=frobnicate\n", "0000"),
                PktLine.encode("want " + "0".repeat(40) + "\n", "0000", "done\n"),
                new byte[0]);
        for (String version : new String[] {"version=2", null}) {
            for (byte[] body : bodies) {
                HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/lib/git-upload-pack"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                if (version != null) {
                    b.header("Git-Protocol", version);
                }
                HttpResponse<String> r = server.send(b);
                assertTrue(r.statusCode() < 500, new String(body, StandardCharsets.ISO_8859_1) + " -> " + r.statusCode()
                        + " " + r.body());
            }
        }
    }

    @Test
    void aGzipBombIsCutOffAtTheRequestLimit() throws Exception {
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bomb)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                gz.write(zeros); // 64 MiB of zeros, about 64 KiB compressed
            }
        }
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/git/lib.git/git-upload-pack"))
                .header("Content-Encoding", "gzip").header("Git-Protocol", "version=2")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bomb.toByteArray())));
        assertEquals(413, r.statusCode(), r.body());
    }

    @Test
    void junkJsonAndWrongTypesAreClearFourHundreds() throws Exception {
        for (String body : List.of("{\"url\":", "null", "\"just a string\"", "{\"url\":[\"a\"]}", "{\"url\":\"\\u0000\"}",
                "{\"url\":\"https://h/o/r\",\"name\":{\"x\":1}}", "[".repeat(10_000))) {
            HttpResponse<String> r = server.postJson("/api/fetch", body);
            assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, body.substring(0, Math.min(40, body.length()))
                    + " -> " + r.statusCode() + " " + r.body());
            assertTrue(r.body().contains("\"status\""), r.body());
        }
    }
}
