package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.Tarballs;
import dev.packbase.testing.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redirects from an upstream: followed within PACKBASE_FETCH_MAX_REDIRECTS, and every hop held to
 * the same SSRF rules as the URL that was given, so an allowed host cannot bounce packbase into a
 * denied network or to a host outside the allow-list.
 */
class UpstreamRedirectIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;
    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;

    @BeforeEach
    void upstream() throws Exception {
        Fixtures.richRepo(upstreamRoot, "lib", scratch);
    }

    /** An HTTP server on {@code address} answering every request with a 302 to {@code target(path?query)}. */
    private static final class Redirector implements AutoCloseable {
        final HttpServer server;
        final AtomicInteger requests = new AtomicInteger();

        Redirector(String address, Function<String, String> target) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), 0), 16);
            server.createContext("/", (HttpExchange exchange) -> {
                requests.incrementAndGet();
                String pathAndQuery = exchange.getRequestURI().getRawPath()
                        + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
                exchange.getResponseHeaders().add("Location", target.apply(pathAndQuery));
                exchange.sendResponseHeaders(302, -1);
                exchange.close();
            });
            server.start();
        }

        String url(String path) {
            return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort() + path;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static JsonNode fetch(TestServer s, String url, int expectedStatus) throws Exception {
        HttpResponse<String> r = s.postJson("/api/fetch", "{\"url\":\"" + url + "\",\"name\":\"lib\"}");
        assertEquals(expectedStatus, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private void assertNothingStored() throws IOException {
        Tarballs.assertNoneUnder(root);
    }

    @Test
    void aRedirectWithinThePolicyIsFollowed() throws Exception {
        try (GitHttpBackend backend = GitHttpBackend.start(upstreamRoot);
                Redirector moved = new Redirector("127.0.0.1", p -> "http://127.0.0.1:" + backend.port() + p);
                TestServer s = TestServer.start(root, Map.of("packbase.seed", "false",
                        "packbase.fetch.allowed.hosts", "127.0.0.1"))) {
            JsonNode body = fetch(s, moved.url("/lib.git"), 200);
            assertTrue(body.path("tarballs_created").asInt() > 0, body.toString());
            assertTrue(moved.requests.get() >= 1);
            assertTrue(backend.requestCount() >= 2, "ls-remote and fetch reached the redirect target");
        }
    }

    @Test
    void aRedirectIntoADeniedNetworkIsRefusedBeforeConnecting() throws Exception {
        // 127.0.0.2 is loopback on Linux too, but denied here: the stand-in for an internal service.
        try (GitHttpBackend internal = GitHttpBackend.start(upstreamRoot);
                Redirector internalListener = new Redirector("127.0.0.2", p -> "http://127.0.0.2/never");
                Redirector bounce = new Redirector("127.0.0.1", p -> internalListener.url(p));
                TestServer s = TestServer.start(root, Map.of("packbase.seed", "false",
                        "packbase.fetch.denied.networks", "169.254.0.0/16,127.0.0.2/32"))) {
            JsonNode body = fetch(s, bounce.url("/lib.git"), 403);
            assertEquals("forbidden", body.path("status").asText());
            assertTrue(body.toString().contains("127.0.0.2") && body.toString().contains("PACKBASE_FETCH_DENIED_NETWORKS"),
                    body.toString());
            assertEquals(1, bounce.requests.get(), "the hop to the denied address was never attempted twice");
            assertEquals(0, internalListener.requests.get(), "nothing reached the denied address");
            assertEquals(0, internal.requestCount());
            assertNothingStored();
        }
    }

    @Test
    void aRedirectToAHostOutsideTheAllowListIsRefused() throws Exception {
        try (GitHttpBackend backend = GitHttpBackend.start(upstreamRoot);
                Redirector bounce = new Redirector("127.0.0.1", p -> "http://localhost:" + backend.port() + p);
                TestServer s = TestServer.start(root, Map.of("packbase.seed", "false",
                        "packbase.fetch.allowed.hosts", "127.0.0.1"))) {
            JsonNode body = fetch(s, bounce.url("/lib.git"), 403);
            assertTrue(body.toString().contains("'localhost'") && body.toString().contains("PACKBASE_FETCH_ALLOWED_HOSTS"),
                    body.toString());
            assertEquals(0, backend.requestCount(), "the redirect target was never contacted");
            assertNothingStored();
        }
    }

    @Test
    void redirectLoopsStopAtTheLimit() throws Exception {
        AtomicInteger hop = new AtomicInteger();
        Redirector[] self = new Redirector[1];
        try (Redirector loop = new Redirector("127.0.0.1", p -> self[0].url("/hop" + hop.incrementAndGet() + "/lib.git/info/refs?service=git-upload-pack"));
                TestServer s = TestServer.start(root, Map.of("packbase.seed", "false",
                        "packbase.fetch.max.redirects", "2"))) {
            self[0] = loop;
            JsonNode body = fetch(s, loop.url("/lib.git"), 502);
            assertEquals("upstream_failed", body.path("status").asText());
            assertTrue(body.toString().toLowerCase(java.util.Locale.ROOT).contains("redirect"), body.toString());
            assertEquals(3, loop.requests.get(), "the first request and 2 redirects, then no more");
            assertNothingStored();
        }
    }

    @Test
    void withZeroRedirectsNoneIsFollowed() throws Exception {
        try (GitHttpBackend backend = GitHttpBackend.start(upstreamRoot);
                Redirector moved = new Redirector("127.0.0.1", p -> "http://127.0.0.1:" + backend.port() + p);
                TestServer s = TestServer.start(root, Map.of("packbase.seed", "false",
                        "packbase.fetch.max.redirects", "0"))) {
            fetch(s, moved.url("/lib.git"), 502);
            assertEquals(0, backend.requestCount());
            assertNothingStored();
        }
    }
}
