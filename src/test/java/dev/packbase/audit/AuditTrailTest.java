package dev.packbase.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.Json;
import dev.packbase.storage.AppendOnlyFile;
import dev.packbase.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditTrailTest {
    private static final ObjectMapper JSON = Json.newMapper();

    @TempDir
    Path dir;

    private static List<JsonNode> since(AuditTrail trail, long from) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        trail.since(from, line -> {
            try {
                out.add(JSON.readTree(line));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        return out;
    }

    @Test
    void oneLinePerCallWithWhoWhatChangedAndOutcome() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00.123Z"));
        AuditTrail trail = new AuditTrail(new AppendOnlyFile(dir.resolve("audit.log")), JSON, clock, true);
        trail.open();
        AuditTrail.Call call = trail.begin(AuditAction.FETCH, AuditTrail.Who.http("anonymous", "10.0.0.7", null));
        call.token("ci").asked(AuditEntry.Asked.url("https://host/o/repo", null));
        call.succeeded(AuditEntry.Changed.fetch("repo", List.of("v1.0.0"), 1));
        call.failed("internal_error", "a second outcome is never written");
        clock.advance(java.time.Duration.ofSeconds(10));
        trail.begin(AuditAction.UPDATE, AuditTrail.Who.http("anonymous", "::1", "req-1")).failed("cooldown", "wait");

        List<JsonNode> all = since(trail, 0);
        assertEquals(2, all.size());
        JsonNode first = all.get(0);
        assertEquals("2026-01-01T00:00:00.123Z", first.get("time").asText());
        assertEquals(1767225600, first.get("unix_time").asLong());
        assertEquals("http", first.get("via").asText());
        assertEquals("ci", first.get("token").asText());
        assertEquals("10.0.0.7", first.get("remote").asText());
        assertEquals("fetch", first.get("action").asText());
        assertEquals("https://host/o/repo", first.at("/asked/url").asText());
        assertEquals("repo", first.at("/changed/package").asText());
        assertEquals("v1.0.0", first.at("/changed/tags_created/0").asText());
        assertEquals("ok", first.get("outcome").asText());
        assertFalse(first.has("request_id"), "absent when the edge gave none");
        assertEquals("cooldown", all.get(1).get("outcome").asText());
        assertEquals("req-1", all.get(1).get("request_id").asText());
        assertEquals(1, since(trail, 1767225601).size(), "since compares unix_time");
    }

    @Test
    void unparsableLinesAreSkippedByReaders() throws Exception {
        Path log = dir.resolve("audit.log");
        Files.writeString(log, "{\"unix_time\":5,\"action\":\"fetch\"}\n{\"unix_ti\n{\"unix_time\":6,\"action\":\"upd");
        AuditTrail trail = new AuditTrail(new AppendOnlyFile(log), JSON, java.time.Clock.systemUTC(), true);
        assertEquals(1, since(trail, 0).size());
        trail.open();
        trail.begin(AuditAction.REINDEX, AuditTrail.Who.command("root")).succeeded(AuditEntry.Changed.packages(List.of("a")));
        List<JsonNode> all = since(trail, 0);
        assertEquals(2, all.size());
        assertEquals("reindex", all.get(1).get("action").asText());
        assertEquals("root", all.get(1).get("user").asText());
    }

    @Test
    void aReadOnlyNodeRecordsNothing() throws Exception {
        Path log = dir.resolve("audit.log");
        AuditTrail trail = new AuditTrail(new AppendOnlyFile(log), JSON, java.time.Clock.systemUTC(), false);
        trail.open();
        trail.begin(AuditAction.FETCH, AuditTrail.Who.http("anonymous", "::1", null)).failed("read_only", "no");
        assertFalse(Files.exists(log));
    }
}
