package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.TestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Abuse controls of POST /api/fetch: denied networks and allowed hosts (SSRF), and bounded concurrent ingests. */
class AbuseControlIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;
    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;

    private static void assertForbidden(HttpResponse<String> r, String mentions) throws Exception {
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("forbidden", JSON.readTree(r.body()).path("status").asText());
        assertTrue(r.body().contains(mentions), r.body());
    }

    @Test
    void deniedNetworksAndAllowedHostsStopFetchesBeforeAnyTraffic() throws Exception {
        Fixtures.richRepo(upstreamRoot, "lib", scratch);
        try (GitHttpBackend backend = GitHttpBackend.start(upstreamRoot)) {
            try (TestServer s = TestServer.start(root, Map.of("packbase.seed", "false"))) {
                assertForbidden(s.postJson("/api/fetch", "{\"url\":\"http://169.254.169.254/latest/meta-data.git\"}"),
                        "PACKBASE_FETCH_DENIED_NETWORKS");
                assertForbidden(s.postJson("/api/fetch", "{\"url\":\"http://[fe80::1]/x.git\"}"), "fe80::/10");
            }
            try (TestServer s = TestServer.start(root, Map.of("packbase.seed", "false",
                    "packbase.fetch.denied.networks", "127.0.0.0/8,::1"))) {
                assertForbidden(s.postJson("/api/fetch", "{\"url\":\"" + backend.url("lib") + "\"}"), "127.0.0.0/8");
            }
            try (TestServer s = TestServer.start(root, Map.of("packbase.seed", "false",
                    "packbase.fetch.allowed.hosts", "git.example.com,*.corp.example"))) {
                assertForbidden(s.postJson("/api/fetch", "{\"url\":\"" + backend.url("lib") + "\"}"),
                        "PACKBASE_FETCH_ALLOWED_HOSTS");
            }
            try (TestServer s = TestServer.start(root, Map.of("packbase.seed", "false",
                    "packbase.fetch.allowed.schemes", "https"))) {
                assertForbidden(s.postJson("/api/fetch", "{\"url\":\"" + backend.url("lib") + "\"}"),
                        "PACKBASE_FETCH_ALLOWED_SCHEMES");
            }
            assertEquals(0, backend.requestCount(), "refused fetches never reach the upstream");
            try (Stream<Path> files = Files.walk(root)) {
                assertTrue(files.noneMatch(p -> p.toString().contains("/p/")), "nothing was written");
            }
        }
    }

    /** The contract's rate limit on POST /api/update is its cooldown, with single flight during a run. */
    @Test
    void aBurstOfUpdatesRunsOnceAndTheRestAreToldWhenToRetry() throws Exception {
        try (TestServer s = TestServer.start(root, Map.of("packbase.seed", "false"))) {
            java.util.List<CompletableFuture<HttpResponse<String>>> burst = new java.util.ArrayList<>();
            for (int i = 0; i < 24; i++) {
                burst.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return s.postJson("/api/update", "");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            int ran = 0;
            for (CompletableFuture<HttpResponse<String>> f : burst) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                String status = JSON.readTree(r.body()).path("status").asText();
                if (r.statusCode() == 200) {
                    ran++;
                } else {
                    assertTrue(r.statusCode() == 429 && status.equals("cooldown") || r.statusCode() == 503 && status.equals("busy"),
                            r.statusCode() + " " + r.body());
                    assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.body());
                }
            }
            assertEquals(1, ran, "one run for the whole burst");
        }
    }

    @Test
    void ingestsBeyondTheLimitGetBusyWithRetryAfter() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TestServer s = TestServer.start(root, Map.of("packbase.seed", "false",
                        "packbase.max.concurrent.ingests", "1", "packbase.fetch.timeout.seconds", "60"))) {
            CountDownLatch connected = new CountDownLatch(1);
            CompletableFuture<Socket> held = CompletableFuture.supplyAsync(() -> {
                try {
                    Socket socket = silent.accept();
                    connected.countDown();
                    return socket;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.postJson("/api/fetch", "{\"url\":\"http://127.0.0.1:" + silent.getLocalPort() + "/slow.git\"}");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(connected.await(60, TimeUnit.SECONDS), "the first ingest reached its (silent) upstream");
            HttpResponse<String> second = s.postJson("/api/fetch", "{\"url\":\"http://127.0.0.1:1/other.git\"}");
            assertEquals(503, second.statusCode(), second.body());
            assertEquals("busy", JSON.readTree(second.body()).path("status").asText());
            assertTrue(second.headers().firstValue("Retry-After").isPresent());
            // The upstream goes away (JGit would retry on a new connection, so the listener closes too).
            held.get(10, TimeUnit.SECONDS).close();
            silent.close();
            assertEquals(502, first.get(60, TimeUnit.SECONDS).statusCode());
            HttpResponse<String> third = s.postJson("/api/fetch", "{\"url\":\"http://127.0.0.1:1/other.git\"}");
            assertEquals(502, third.statusCode(), "the slot is free again: " + third.body());
        }
    }
}
