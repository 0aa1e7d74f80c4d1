package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.TestServer;
import dev.packbase.testing.UpstreamRepo;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-tag isolation against a real upstream: {@code git http-backend} over loopback serving a bare
 * repository in which the blobs of some tags are missing, so the real {@code git upload-pack} cannot
 * produce any pack that includes them. The tags that can be packed land, the others are reported
 * in {@code failed_tags} (200), and a package none of whose tags can be packed is a 502.
 */
class TagIsolationIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = 1_700_000_000L;

    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;
    @TempDir
    Path root;

    private GitHttpBackend backend;
    private TestServer server;
    /** Object file → its bytes, for every object the test removed from the bare repository. */
    private final Map<Path, byte[]> removed = new LinkedHashMap<>();

    @BeforeEach
    void start() throws Exception {
        backend = GitHttpBackend.start(upstreamRoot);
        server = TestServer.start(root, Map.of("packbase.seed", "false"));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        backend.close();
    }

    /**
     * Tags v1.0.0 … v1.4.0 on a line of commits; each tag in {@code broken} gets a file of its own
     * whose blob is then deleted from the bare repository (the next commit removes the file again,
     * so no other tag's tree needs it).
     */
    private UpstreamRepo repo(String name, List<String> tags, List<String> broken) {
        UpstreamRepo repo = UpstreamRepo.create(upstreamRoot, name, scratch);
        repo.write("build.zig.zon", ".{ .name = \"" + name + "\", .version = \"1.0.0\", .paths = .{\"\"} }\n");
        List<String> brokenBlobs = new ArrayList<>();
        long time = T0;
        for (String tag : tags) {
            repo.write("src/main.zig", "pub const tag = \"" + tag + "\";\n");
            Path own = repo.work().resolve("only-" + tag + ".txt");
            if (broken.contains(tag)) {
                repo.write("only-" + tag + ".txt", "content that only " + tag + " has\n");
            }
            String commit = repo.commit("release " + tag, time += 60);
            repo.lightweightTag(tag, commit);
            if (broken.contains(tag)) {
                brokenBlobs.add(repo.git("rev-parse", commit + ":only-" + tag + ".txt"));
                try {
                    Files.delete(own);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        repo.publish();
        for (String blob : brokenBlobs) {
            Path object = repo.bare().resolve("objects").resolve(blob.substring(0, 2)).resolve(blob.substring(2));
            assertTrue(Files.isRegularFile(object), "the push left loose objects in the bare repository: " + object);
            try {
                removed.put(object, Files.readAllBytes(object));
                Files.delete(object);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return repo;
    }

    private void restoreObjects() throws Exception {
        for (Map.Entry<Path, byte[]> e : removed.entrySet()) {
            Files.write(e.getKey(), e.getValue());
        }
    }

    private HttpResponse<String> fetch(String name) throws Exception {
        return server.postJson("/api/fetch", "{\"url\":\"git+" + backend.url(name) + "\"}");
    }

    private static List<String> tagsOf(JsonNode failedTags) {
        List<String> tags = new ArrayList<>();
        failedTags.forEach(f -> tags.add(f.path("tag").asText()));
        return tags;
    }

    @Test
    void unpackableTagsAreReportedTheRestLandAndALaterFetchRetriesOnlyThem() throws Exception {
        repo("mixed", List.of("v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0", "v1.4.0"), List.of("v1.1.0", "v1.3.0"));

        HttpResponse<String> first = fetch("mixed");
        assertEquals(200, first.statusCode(), first.body());
        JsonNode body = JSON.readTree(first.body());
        assertEquals(List.of("v1.0.0", "v1.2.0", "v1.4.0"),
                JSON.convertValue(body.path("created_tags"), List.class));
        assertEquals("v1.4.0", body.path("tag").asText());
        assertEquals(List.of("v1.1.0", "v1.3.0"), tagsOf(body.path("failed_tags")));
        for (JsonNode failed : body.path("failed_tags")) {
            String reason = failed.path("reason").asText();
            assertFalse(reason.isBlank(), first.body());
            assertFalse(reason.chars().anyMatch(Character::isISOControl), "cleaned reason: " + reason);
        }
        assertFalse(server.holds("p/mixed/tag/v1.1.0.tar.gz"));
        assertTrue(server.holds("p/mixed/tag/v1.2.0.tar.gz"));

        JsonNode info = JSON.readTree(server.get("/api/info/mixed").body());
        List<String> warnings = JSON.convertValue(info.path("warnings"), List.class);
        assertTrue(warnings.stream().anyMatch(w -> w.contains("'v1.1.0' could not be fetched")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("'v1.3.0' could not be fetched")), warnings.toString());
        assertTrue(info.path("pseudo_git_fetchable").asBoolean(), info.toString());

        // Upstream repaired: the next fetch asks for the two failed tags only and lands them.
        restoreObjects();
        HttpResponse<String> second = fetch("mixed");
        assertEquals(200, second.statusCode(), second.body());
        JsonNode again = JSON.readTree(second.body());
        assertEquals(List.of("v1.1.0", "v1.3.0"), JSON.convertValue(again.path("created_tags"), List.class));
        assertEquals(3, again.path("tarballs_present").asInt());
        assertEquals(5, again.path("tarball_count").asInt());
        assertEquals(0, again.path("failed_tags").size(), second.body());
        JsonNode repaired = JSON.readTree(server.get("/api/info/mixed").body());
        assertTrue(JSON.convertValue(repaired.path("warnings"), List.class).stream()
                .noneMatch(w -> w.toString().contains("could not be fetched")), repaired.toString());
    }

    @Test
    void aPackageNoneOfWhoseTagsCanBePackedIsUpstreamFailed() throws Exception {
        repo("hopeless", List.of("v1.0.0", "v1.1.0"), List.of("v1.0.0", "v1.1.0"));
        HttpResponse<String> answer = fetch("hopeless");
        assertEquals(502, answer.statusCode(), answer.body());
        JsonNode body = JSON.readTree(answer.body());
        assertEquals("upstream_failed", body.path("status").asText());
        assertEquals(List.of("v1.0.0", "v1.1.0"), tagsOf(body.path("failed_tags")));
        assertFalse(body.path("message").asText().chars().anyMatch(Character::isISOControl), answer.body());
        assertEquals(404, server.get("/api/info/hopeless").statusCode());
    }
}
