package dev.packbase.storage;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fake S3 endpoint that stores objects but ignores {@code If-None-Match} and {@code If-Match}, as some real
 * engines do (Garage 2.5 among them): for the startup probe's refusal, in addition to the real engine's tests.
 * It knows HEAD, GET, PUT and DELETE of objects and answers both listings with nothing; it checks no signature.
 */
final class IgnoringS3 implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();

    IgnoringS3() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getRawQuery();
        byte[] body = ex.getRequestBody().readAllBytes();
        String[] parts = path.substring(1).split("/", 2);
        if (parts.length < 2 || parts[1].isEmpty()) { // a bucket request: the listings, always empty
            String xml = query != null && query.contains("uploads")
                    ? "<ListMultipartUploadsResult><Bucket>" + parts[0] + "</Bucket><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>"
                    : "<ListBucketResult><Name>" + parts[0] + "</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>";
            send(ex, 200, xml.getBytes(StandardCharsets.UTF_8), "application/xml");
            return;
        }
        String key = parts[1];
        switch (ex.getRequestMethod()) {
            case "PUT" -> {
                String sha = ex.getRequestHeaders().getFirst("x-amz-content-sha256");
                objects.put(key, sha != null && sha.startsWith("STREAMING") ? unchunk(body) : body); // whatever the conditions said
                ex.getResponseHeaders().set("ETag", "\"v" + versions.incrementAndGet() + "\"");
                send(ex, 200, new byte[0], null);
            }
            case "DELETE" -> {
                objects.remove(key);
                send(ex, 204, null, null);
            }
            case "HEAD", "GET" -> {
                byte[] bytes = objects.get(key);
                if (bytes == null) {
                    send(ex, 404, ex.getRequestMethod().equals("HEAD") ? null
                            : "<Error><Code>NoSuchKey</Code></Error>".getBytes(StandardCharsets.UTF_8), "application/xml");
                    return;
                }
                ex.getResponseHeaders().set("ETag", "\"v" + versions.get() + "\"");
                ex.getResponseHeaders().set("Last-Modified", "Mon, 07 Dec 2026 10:00:00 GMT");
                if (ex.getRequestMethod().equals("HEAD")) {
                    ex.getResponseHeaders().set("Content-Length", String.valueOf(bytes.length));
                    ex.sendResponseHeaders(200, -1);
                    ex.close();
                } else {
                    send(ex, 200, bytes, "application/octet-stream");
                }
            }
            default -> send(ex, 405, new byte[0], null);
        }
    }

    /** The payload of an aws-chunked body: {@code <hex size>;chunk-signature=…\r\n<bytes>\r\n}…, ending with size 0. */
    private static byte[] unchunk(byte[] body) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int at = 0;
        while (at < body.length) {
            int eol = at;
            while (body[eol] != '\r') {
                eol++;
            }
            String header = new String(body, at, eol - at, StandardCharsets.US_ASCII);
            int size = Integer.parseInt(header.split(";")[0], 16);
            if (size == 0) {
                break;
            }
            out.write(body, eol + 2, size);
            at = eol + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static void send(HttpExchange ex, int status, byte[] body, String type) throws IOException {
        if (type != null) {
            ex.getResponseHeaders().set("Content-Type", type);
        }
        ex.sendResponseHeaders(status, body == null || body.length == 0 ? -1 : body.length);
        if (body != null && body.length > 0) {
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
