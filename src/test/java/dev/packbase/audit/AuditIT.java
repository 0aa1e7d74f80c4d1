package dev.packbase.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.StandaloneProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named tokens and the audit log on {@code java -jar packbase.war}: two named tokens (one plain, one in the sha256
 * form) fetch packages concurrently and the server is killed with SIGKILL in the middle; after the restart, every
 * fetch whose answer arrived has exactly one complete line naming its token, and no line in the file is torn.
 * Then PACKBASE_TOKEN works as {@code default}, a rewritten tokens file takes effect without a restart, and
 * {@code GET /api/audit} answers JSON lines to token holders only.
 */
class AuditIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PACKAGES = List.of("a0", "b0", "a1", "b1", "a2", "b2");

    @TempDir
    static Path upstreamRoot;
    @TempDir
    static Path scratch;
    @TempDir
    Path root;
    @TempDir
    Path conf;

    static GitHttpBackend backend;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void upstream() throws Exception {
        for (String name : PACKAGES) {
            Fixtures.heavyRepo(upstreamRoot, name, scratch, 3);
        }
        backend = GitHttpBackend.start(upstreamRoot);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static String sha256(String token) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    private StandaloneProcess start(Path tokens) {
        return StandaloneProcess.start(StandaloneProcess.packagedWar(), Map.of("PACKBASE_ROOT", root.toString(),
                "PACKBASE_SEED", "false", "PACKBASE_TOKEN", "env-token", "PACKBASE_TOKENS_FILE", tokens.toString(),
                "PACKBASE_MAX_CONCURRENT_INGESTS", "8"));
    }

    private HttpResponse<String> fetch(StandaloneProcess p, String pkg, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(p.uri("/api/fetch")).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + backend.url(pkg) + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> audit(StandaloneProcess p, String query, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(p.uri("/api/audit" + query)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<JsonNode> lines(String ndjson) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            if (!line.isEmpty()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    @Test
    void everyAnsweredCallHasOneLineAttributedToItsTokenAcrossAKill() throws Exception {
        Path tokens = conf.resolve("tokens");
        Files.writeString(tokens, "# two clients\nalice:alice-token\nbob:sha256:" + sha256("bob-token") + "\n");
        Map<String, String> answered = new ConcurrentHashMap<>();
        StandaloneProcess first = start(tokens);
        try {
            List<CompletableFuture<Void>> calls = new ArrayList<>();
            for (String pkg : PACKAGES) {
                String token = pkg.startsWith("a") ? "alice-token" : "bob-token";
                calls.add(CompletableFuture.runAsync(() -> {
                    try {
                        HttpResponse<String> r = fetch(first, pkg, token);
                        answered.put(pkg, r.statusCode() + " " + r.body());
                    } catch (Exception e) {
                        // killed before the answer: the call did not complete for its client
                    }
                }));
            }
            dev.packbase.testing.Await.until("two fetches answered", Duration.ofSeconds(120), () -> answered.size() >= 2);
            first.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).handle((v, e) -> null)
                    .get(60, TimeUnit.SECONDS);
        } finally {
            first.close();
        }
        assertTrue(answered.size() >= 2, "fetches answered before the kill: " + answered.keySet());

        // No torn line: every line of the file is one whole JSON object.
        Path log = root.resolve(".packbase/audit.log");
        String raw = Files.readString(log);
        assertTrue(raw.endsWith("\n"), "the log ends with a whole line");
        List<JsonNode> before = lines(raw);

        try (StandaloneProcess second = start(tokens)) {
            HttpResponse<String> r = audit(second, "?since=0", "bob-token");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("application/x-ndjson", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
            List<JsonNode> served = lines(r.body());
            assertEquals(before, served, "the API serves the log as it is");
            for (Map.Entry<String, String> a : answered.entrySet()) {
                String pkg = a.getKey();
                assertTrue(a.getValue().startsWith("200 "), pkg + ": " + a.getValue());
                List<JsonNode> mine = served.stream().filter(l -> l.path("asked").path("url").asText()
                        .equals(backend.url(pkg))).toList();
                assertEquals(1, mine.size(), pkg + " has exactly one line: " + mine);
                JsonNode line = mine.get(0);
                assertEquals(pkg.startsWith("a") ? "alice" : "bob", line.get("token").asText(), line.toString());
                assertEquals("fetch", line.get("action").asText());
                assertEquals("ok", line.get("outcome").asText());
                assertEquals("127.0.0.1", line.get("remote").asText());
                assertEquals(pkg, line.at("/changed/package").asText());
                assertEquals(3, line.at("/changed/tags_created").size(), line.toString());
            }
            long lineCount = served.size();

            // PACKBASE_TOKEN is the token named default; a wrong token is a 403 and is recorded too.
            assertEquals(200, fetch(second, "a0", "env-token").statusCode());
            assertEquals(403, fetch(second, "a0", "nobody").statusCode());
            List<JsonNode> now = lines(audit(second, "", "env-token").body());
            assertEquals(lineCount + 2, now.size());
            assertEquals("default", now.get(now.size() - 2).get("token").asText());
            assertEquals("anonymous", now.get(now.size() - 1).get("token").asText());
            assertEquals("forbidden", now.get(now.size() - 1).get("outcome").asText());

            // The tokens file is read again when it changes: bob is gone, carol is new.
            Path next = conf.resolve("tokens.next");
            Files.writeString(next, "alice:alice-token\ncarol:carol-token\n");
            Files.move(next, tokens, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertEquals(403, fetch(second, "b0", "bob-token").statusCode());
            HttpResponse<String> carol = fetch(second, "b0", "carol-token");
            assertEquals(200, carol.statusCode(), carol.body());
            List<JsonNode> last = lines(audit(second, "", "carol-token").body());
            assertEquals("carol", last.get(last.size() - 1).get("token").asText());

            // Token holders only, and a bad since is a 400 that names it.
            assertEquals(401, audit(second, "", null).statusCode());
            assertEquals(403, audit(second, "", "bob-token").statusCode());
            HttpResponse<String> bad = audit(second, "?since=yesterday", "alice-token");
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("since"), bad.body());
            long future = java.time.Instant.now().getEpochSecond() + 3600;
            assertEquals("", audit(second, "?since=" + future, "alice-token").body());
        }
    }
}
