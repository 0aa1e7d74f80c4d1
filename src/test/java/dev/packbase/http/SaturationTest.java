package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Await;
import dev.packbase.testing.TestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PACKBASE_MAX_CONCURRENT_REQUESTS: with every slot held by a request that is still being worked on
 * (an ingest whose upstream accepted the connection and never answers), the next request gets 503
 * busy with Retry-After at once instead of waiting, and once those requests end the server serves
 * normally again. (A POST whose body never arrives is not a reliable holder: Jetty may delay the
 * dispatch until the body is there, which is itself a defence against slow clients.)
 */
class SaturationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    @Test
    void pastTheLimitRequestsGetBusyAndTheServerRecovers() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TestServer s = TestServer.start(root, Map.of("packbase.seed", "false",
                        "packbase.max.concurrent.requests", "2", "packbase.fetch.timeout.seconds", "120"))) {
            assertEquals(200, s.get("/api/status").statusCode());
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            List<Socket> upstreamSides = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String body = "{\"url\":\"http://127.0.0.1:" + silent.getLocalPort() + "/slow" + i + ".git\"}";
                held.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return s.postJson("/api/fetch", body);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
                // The ingest has reached its upstream: its request holds a slot until the upstream answers.
                upstreamSides.add(silent.accept());
            }
            HttpResponse<String> refused = s.get("/api/status");
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("busy", JSON.readTree(refused.body()).path("status").asText());
            assertTrue(refused.body().contains("PACKBASE_MAX_CONCURRENT_REQUESTS"), refused.body());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
            assertEquals(503, s.getBytes("/p/none/tag/v1.tar.gz").statusCode(), "every route is bounded");

            // The upstream goes away (JGit would retry on a new connection, so the listener closes too).
            for (Socket socket : upstreamSides) {
                socket.close();
            }
            silent.close();
            for (CompletableFuture<HttpResponse<String>> f : held) {
                assertEquals(502, f.get(120, TimeUnit.SECONDS).statusCode());
            }
            // A slot is released when the filter returns, which may come a moment after the client read the 502.
            int status = Await.value("the request slots to be released", Duration.ofSeconds(60),
                    () -> s.get("/api/status").statusCode(), code -> code == 200);
            assertEquals(200, status, "the slots were released");
        }
    }
}
