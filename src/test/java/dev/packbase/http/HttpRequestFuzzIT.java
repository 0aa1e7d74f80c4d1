package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.packbase.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes whole HTTP requests against packbase in Jetty: every route, any method, fuzzed path tails
 * (percent escapes, dots, slashes, backslashes), optional Git, range, caching and gzip headers,
 * chunked or sized bodies of fuzzed bytes (pkt-lines, JSON, garbage). Whatever comes in, the answer
 * is a complete HTTP response below 500, and no response ever contains a secret kept beside the
 * root. The request line and headers are always well-formed, so every input reaches packbase's own
 * code rather than Jetty's parser. Upstream fetches are held to 127.0.0.1, so nothing leaves the
 * machine. Seeds are under HttpRequestFuzzTestInputs/request; `tools/fuzz.sh` fuzzes for real.
 */
class HttpRequestFuzzIT {
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "PROPFIND");
    private static final List<String> ROUTES = List.of(
            "/api/fetch", "/api/update", "/api/status", "/api/list", "/api/info/", "/api/info/hello",
            "/p/hello/tag/", "/p/hello/tag/v0.1.0.tar.gz", "/p/hello/tag/v0.1.0.zon", "/h/",
            "/git/hello.git/info/refs?service=git-upload-pack", "/git/hello.git/git-upload-pack",
            "/hello/info/refs?service=git-upload-pack", "/hello.git/git-upload-pack", "/hello/HEAD",
            "/git/hello.git/objects/info/packs", "/hello/git-receive-pack", "/", "/WEB-INF/web.xml", "/api/_error");
    private static final List<String> CONTENT_TYPES = List.of("application/json", "application/x-git-upload-pack-request",
            "text/plain", "application/json; charset=utf-16", "multipart/form-data; boundary=x");

    @TempDir
    static Path dir;
    private static TestServer server;
    private static String secret;

    @BeforeAll
    static void start() throws IOException {
        Path root = Files.createDirectories(dir.resolve("root"));
        secret = "SECRET-" + UUID.randomUUID();
        Files.writeString(dir.resolve("secret.txt"), secret);
        Files.writeString(dir.resolve("root").resolve("..").resolve("outside.json"), secret);
        server = TestServer.start(root, Map.of(
                "packbase.fetch.allowed.hosts", "127.0.0.1",
                "packbase.fetch.timeout.seconds", "5",
                "packbase.max.request.bytes", "4096"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @FuzzTest
    void request(FuzzedDataProvider data) throws IOException {
        // Jazzer's sanitizers watch the JVM and are reset for every input: a connection anywhere but loopback,
        // where this test and the allowed upstreams are, is reported as SSRF, and any file access to the
        // secret as path traversal.
        try (SilentCloseable loopbackOnly = BugDetectors.allowNetworkConnections((host, port) -> host.equals("127.0.0.1") || host.equals("localhost"));
                SilentCloseable traversal = BugDetectors.setFilePathTraversalTarget(() -> dir.resolve("secret.txt"))) {
            send(data);
        }
    }

    private void send(FuzzedDataProvider data) throws IOException {
        String method = data.pickValue(METHODS);
        String target = data.pickValue(ROUTES) + pathTail(data.consumeString(40));
        boolean gzip = data.consumeBoolean();
        boolean chunked = data.consumeBoolean();
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        if (data.consumeBoolean()) {
            head.append("Content-Type: ").append(data.pickValue(CONTENT_TYPES)).append("\r\n");
        }
        if (data.consumeBoolean()) {
            head.append("Git-Protocol: version=2\r\n");
        }
        if (data.consumeBoolean()) {
            head.append("Range: bytes=").append(headerValue(data.consumeString(12))).append("\r\n");
        }
        if (data.consumeBoolean()) {
            head.append("If-None-Match: ").append(headerValue(data.consumeString(70))).append("\r\n");
        }
        if (data.consumeBoolean()) {
            head.append("Authorization: Bearer ").append(headerValue(data.consumeString(30))).append("\r\n");
        }
        byte[] body = data.consumeRemainingAsBytes();
        if (gzip) {
            head.append("Content-Encoding: gzip\r\n");
            body = gzip(body);
        }
        head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n").append("\r\n");

        byte[] response;
        boolean sent = true;
        try (Socket socket = new Socket(server.uri("/").getHost(), server.uri("/").getPort())) {
            socket.setSoTimeout(30_000);
            try {
                write(socket.getOutputStream(), head.toString(), body, chunked);
            } catch (java.net.SocketException e) {
                // packbase answered before reading the whole body (a refusal) and closed; the answer is read below.
                sent = false;
            }
            response = readAll(socket.getInputStream());
        }
        String text = new String(response, StandardCharsets.ISO_8859_1);
        if (!sent && text.isEmpty()) {
            return; // the connection was reset before the early answer could be read
        }
        assertTrue(text.startsWith("HTTP/1.1 "), () -> "no HTTP response to " + method + " " + target + ": " + text);
        int status = Integer.parseInt(text.substring(9, 12));
        assertTrue(status < 500, () -> method + " " + target + " answered " + text);
        assertFalse(text.contains(secret), () -> method + " " + target + " served a file from outside the root");
    }

    private static void write(OutputStream out, String head, byte[] body, boolean chunked) throws IOException {
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        if (chunked) {
            if (body.length > 0) {
                out.write((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } else {
            out.write(body);
        }
        out.flush();
    }

    /** Printable ASCII without spaces; the fuzzer still reaches %-escapes, dots, slashes and backslashes. */
    private static String pathTail(String raw) {
        StringBuilder out = new StringBuilder();
        for (char c : raw.toCharArray()) {
            if (c > 0x20 && c < 0x7f && c != '#') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", (int) c & 0xff));
            }
        }
        return out.toString();
    }

    private static String headerValue(String raw) {
        return raw.replaceAll("[^\\x20-\\x7e]", "x");
    }

    private static byte[] gzip(byte[] body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(body);
        }
        return bytes.toByteArray();
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        try {
            while ((n = in.read(buffer)) > 0) {
                bytes.write(buffer, 0, n);
            }
        } catch (java.net.SocketException e) {
            // a reset after a complete answer (Jetty closes a connection whose body it did not read)
        }
        return bytes.toByteArray();
    }
}
