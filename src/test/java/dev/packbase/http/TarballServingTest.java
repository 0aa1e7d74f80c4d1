package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.packbase.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import dev.packbase.http.fastpath.FastPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball cache and the launcher's fast path change how a tarball is sent, never what is sent: the
 * seeded tarball served from the cache, from storage (cache off) and by the {@link FastPath} the launcher uses
 * gives the same status, headers and bytes for plain, HEAD, conditional and range requests.
 */
class TarballServingTest {
    private static final String TARBALL = "/p/hello/tag/v0.1.0.tar.gz";
    private static final String BY_HASH = "/h/hello-0.1.0-a2NhcF8DAACd9ykGe6U44penQqGY2LPUn3MWC4GwBcyK.tar.gz";

    @TempDir
    Path cachedRoot;
    @TempDir
    Path uncachedRoot;

    private final List<TestServer> servers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (TestServer s : servers) {
            s.close();
        }
    }

    private TestServer start(Path root, Map<String, String> settings) {
        TestServer s = TestServer.start(root, settings);
        servers.add(s);
        return s;
    }

    /** Each request as header lines for {@link TestServer#getBytes}, with the method first. */
    private static List<String[]> requests(String etag) {
        return List.of(
                new String[] {"GET"},
                new String[] {"HEAD"},
                new String[] {"GET", "If-None-Match", etag},
                new String[] {"GET", "If-None-Match", "\"other\", W/" + etag},
                new String[] {"GET", "If-None-Match", "\"other\""},
                new String[] {"GET", "Range", "bytes=10-19"},
                new String[] {"GET", "Range", "bytes=-7"},
                new String[] {"GET", "Range", "bytes=600-"},
                new String[] {"GET", "Range", "bytes=0-1", "If-Range", etag},
                new String[] {"GET", "Range", "bytes=0-1", "If-Range", "\"stale\""},
                new String[] {"GET", "Range", "bytes=0-1,5-6"},
                new String[] {"GET", "Range", "bytes=999999-"},
                new String[] {"HEAD", "Range", "bytes=10-19"});
    }

    private static HttpResponse<byte[]> send(TestServer s, String path, String[] request) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri(path)).method(request[0], HttpRequest.BodyPublishers.noBody());
        for (int i = 1; i < request.length; i += 2) {
            b.header(request[i], request[i + 1]);
        }
        return s.getClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Response headers without the ones that differ by the clock or the connection. */
    private static Map<String, List<String>> headers(HttpResponse<?> r) {
        Map<String, List<String>> h = new TreeMap<>();
        r.headers().map().forEach((k, v) -> {
            String name = k.toLowerCase(Locale.ROOT);
            if (!name.equals("date") && !name.equals(":status")) {
                h.put(name, name.equals("x-request-id") ? List.of(requestId(v.get(0))) : v);
            }
        });
        return h;
    }

    /** Every answer has its own id: compared by shape (32 hex digits, fresh per request), not by value. */
    private static String requestId(String value) {
        return value.matches("[0-9a-f]{32}") ? "<fresh id>" : value;
    }

    /** A body with the request id of a JSON error taken out (each request has its own). */
    private static byte[] withoutRequestId(byte[] body) {
        String text = new String(body, java.nio.charset.StandardCharsets.ISO_8859_1);
        return text.replaceFirst("\"request_id\":\"[0-9a-f]{32}\",?", "")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void cachedAndUncachedTarballsAreServedIdentically() throws Exception {
        TestServer cached = start(cachedRoot, Map.of());
        TestServer uncached = start(uncachedRoot, Map.of("packbase.tarball.cache.bytes", "0"));
        byte[] file = Files.readAllBytes(cachedRoot.resolve(TARBALL.substring(1)));
        assertArrayEquals(file, Files.readAllBytes(uncachedRoot.resolve(TARBALL.substring(1))),
                "the seeded tarball is deterministic");
        String etag = cached.getBytes(TARBALL).headers().firstValue("ETag").orElseThrow();
        assertNotNull(fastPath(cached).answer(get(TARBALL)), "the first GET put the tarball in the cache");
        assertNull(fastPath(uncached).answer(get(TARBALL)), "nothing is cached with the cache off");

        for (String path : List.of(TARBALL, BY_HASH)) {
            for (String[] request : requests(etag)) {
                String what = path + " " + String.join(" ", request);
                HttpResponse<byte[]> a = send(cached, path, request);
                HttpResponse<byte[]> b = send(uncached, path, request);
                assertEquals(b.statusCode(), a.statusCode(), what);
                assertEquals(headers(b), headers(a), what);
                assertArrayEquals(withoutRequestId(b.body()), withoutRequestId(a.body()), what);
            }
        }
        assertEquals(200, send(cached, TARBALL, new String[] {"GET"}).statusCode());
        assertArrayEquals(file, send(cached, TARBALL, new String[] {"GET"}).body());
        assertEquals(206, send(cached, TARBALL, new String[] {"GET", "Range", "bytes=10-19"}).statusCode());
        assertEquals(304, send(cached, TARBALL, new String[] {"GET", "If-None-Match", etag}).statusCode());
        assertEquals(416, send(cached, TARBALL, new String[] {"GET", "Range", "bytes=999999-"}).statusCode());
    }

    /** What the launcher's handler would send is what the servlet sends, request by request. */
    @Test
    void fastPathAnswersAsTheServletDoes() throws Exception {
        TestServer s = start(cachedRoot, Map.of());
        String etag = s.getBytes(TARBALL).headers().firstValue("ETag").orElseThrow();
        FastPath fast = fastPath(s);

        for (String path : List.of(TARBALL, BY_HASH)) {
            for (String[] request : requests(etag)) {
                String what = path + " " + String.join(" ", request);
                Map<String, String> sent = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                for (int i = 1; i < request.length; i += 2) {
                    sent.put(request[i], request[i + 1]);
                }
                FastPath.Answer answer = fast.answer(new FastPath.Request(request[0], path, sent::get, "127.0.0.1"));
                HttpResponse<byte[]> servlet = send(s, path, request);
                if (answer == null) {
                    // Left to the servlet: only errors (416) are.
                    assertEquals(416, servlet.statusCode(), what);
                    continue;
                }
                assertEquals(servlet.statusCode(), answer.status(), what);
                Map<String, List<String>> expected = headers(servlet);
                Map<String, List<String>> actual = new TreeMap<>();
                for (FastPath.Header h : answer.headers()) {
                    String name = h.name().toLowerCase(Locale.ROOT);
                    actual.put(name, List.of(name.equals("x-request-id") ? requestId(h.value()) : h.value()));
                }
                assertEquals(path.equals(TARBALL) ? "tarball" : "hash", answer.route(), what);
                expected.remove("server"); // the container's, added to every response on both paths
                if (servlet.statusCode() == 304) {
                    expected.remove("content-length"); // Jetty adds "0" to every 304, on both paths
                }
                assertEquals(expected, actual, what);
                ByteBuffer body = answer.body();
                byte[] bytes = new byte[body == null ? 0 : body.remaining()];
                if (body != null) {
                    body.get(bytes);
                }
                assertArrayEquals(servlet.body(), bytes, what);
            }
        }
        assertNull(fast.answer(new FastPath.Request("POST", TARBALL, h -> null, "127.0.0.1")));
        assertNull(fast.answer(get("/p/hello/tag/v9.9.9.tar.gz")));
        assertNull(fast.answer(get("/p/hello/tag/v0.1.0.json")));
        assertNull(fast.answer(get("/api/status")));
    }

    private static FastPath.Request get(String path) {
        return new FastPath.Request("GET", path, h -> null, "127.0.0.1");
    }

    private static FastPath fastPath(TestServer s) {
        return (FastPath) s.attribute(FastPath.ATTRIBUTE);
    }
}
