package dev.packbase.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.TestServer;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PACKBASE_MAX_CONCURRENT_REQUESTS: with every slot held by a slow client (a POST whose body never
 * arrives), the next request gets 503 busy with Retry-After at once instead of waiting, and once the
 * slow clients go away the server serves normally again.
 */
class SaturationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    private static Socket slowPost(TestServer s) throws Exception {
        Socket socket = new Socket(s.uri("/").getHost(), s.uri("/").getPort());
        OutputStream out = socket.getOutputStream();
        out.write(("POST /api/fetch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"url\":")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    @Test
    void pastTheLimitRequestsGetBusyAndTheServerRecovers() throws Exception {
        try (TestServer s = TestServer.start(root, Map.of("packbase.seed", "false",
                "packbase.max.concurrent.requests", "2"))) {
            assertEquals(200, s.get("/api/status").statusCode());
            List<Socket> held = new ArrayList<>();
            try {
                held.add(slowPost(s));
                held.add(slowPost(s));
                // The two POSTs are admitted as soon as their headers are parsed; until then a status request
                // may still get a slot, so ask until the refusal shows (bounded, never a sleep).
                HttpResponse<String> refused = null;
                for (int attempt = 0; attempt < 500; attempt++) {
                    HttpResponse<String> r = s.get("/api/status");
                    if (r.statusCode() == 503) {
                        refused = r;
                        break;
                    }
                    assertEquals(200, r.statusCode(), r.body());
                }
                assertTrue(refused != null, "a third request was refused while two slow clients held the slots");
                assertEquals("busy", JSON.readTree(refused.body()).path("status").asText());
                assertTrue(refused.body().contains("PACKBASE_MAX_CONCURRENT_REQUESTS"), refused.body());
                assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
                assertEquals(503, s.getBytes("/p/none/tag/v1.tar.gz").statusCode(), "every route is bounded");
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
            // The slow requests end when their connections close (the body read fails) and free their slots.
            int status = 0;
            for (int attempt = 0; attempt < 500 && status != 200; attempt++) {
                status = s.get("/api/status").statusCode();
            }
            assertEquals(200, status, "the slots were released");
        }
    }
}
