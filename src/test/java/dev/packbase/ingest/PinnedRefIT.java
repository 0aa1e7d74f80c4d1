package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.TestServer;
import dev.packbase.testing.UpstreamRepo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ref in the URL fragment, as Zig writes a pinned dependency: {@code #<tag>} and {@code #<commit>}
 * ingest just the tags they name, over real Git smart HTTP; a short commit id, a branch and a commit
 * upstream does not have are refused with the reason, and nothing else of the package changes.
 * (Untagged commits that upstream has: {@code dev.packbase.http.PinnedCommitIT}.)
 */
class PinnedRefIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;
    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;
    private UpstreamRepo repo;

    @BeforeEach
    void upstream() {
        repo = Fixtures.richRepo(upstreamRoot, "lib", scratch);
    }

    private static List<String> tags(TestServer s) throws Exception {
        JsonNode info = JSON.readTree(s.get("/api/info/lib").body());
        List<String> names = new ArrayList<>();
        info.path("tarballs").forEach(t -> names.add(t.path("tag").asText()));
        return names.stream().sorted().toList();
    }

    @Test
    void aTagFragmentIngestsThatTagOnlyAndTheBareUrlTheRest() throws Exception {
        try (GitHttpBackend forge = GitHttpBackend.start(upstreamRoot);
                TestServer s = TestServer.start(root, Map.of("packbase.seed", "false"))) {
            String url = "git+" + forge.url("lib");
            JsonNode pinned = s.fetch(url + "#v1.0.0", 200);
            assertEquals(1, pinned.path("tarballs_created").asInt(), pinned.toString());
            assertEquals("v1.0.0", pinned.path("created_tags").get(0).asText());
            assertEquals(url, pinned.path("upstream_url").asText(), "the package is bound to the repository, not the ref");
            assertEquals(List.of("v1.0.0"), tags(s));

            // Again: nothing to do. Then the repository: the other tags, and v1.0.0 left as it was.
            assertEquals(0, s.fetch(url + "#refs/tags/v1.0.0", 200).path("tarballs_created").asInt());
            JsonNode all = s.fetch(url, 200);
            assertEquals(List.of("v1.1.0", "v2.0.0-rc.1"), JSON.convertValue(all.path("created_tags"), List.class), all.toString());
            assertEquals(List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1"), tags(s));
        }
    }

    @Test
    void aFullCommitIdIngestsTheTagsNamingItAnnotatedOnesPeeled() throws Exception {
        String first = repo.git("rev-parse", "v1.0.0^{commit}").trim();
        String second = repo.git("rev-parse", "v1.1.0^{commit}").trim();
        try (GitHttpBackend forge = GitHttpBackend.start(upstreamRoot);
                TestServer s = TestServer.start(root, Map.of("packbase.seed", "false"))) {
            String url = "git+" + forge.url("lib");
            s.fetch(url + "#" + first, 200);
            assertEquals(List.of("v1.0.0"), tags(s), "the annotated tag whose commit is the id");
            s.fetch(url + "#" + second, 200);
            assertEquals(List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1"), tags(s), "every servable tag naming the commit");
        }
    }

    @Test
    void shortIdsBranchesAndUnknownCommitsAreRefusedWithTheReason() throws Exception {
        repo.write("src/main.zig", "pub fn answer() u32 { return 44; }\n");
        String untagged = repo.commit("work in progress", 1_700_000_000L);
        repo.publish();
        String unknown = "0123456789abcdef0123456789abcdef01234567";
        try (GitHttpBackend forge = GitHttpBackend.start(upstreamRoot);
                TestServer s = TestServer.start(root, Map.of("packbase.seed", "false"))) {
            String url = "git+" + forge.url("lib");
            JsonNode shortId = s.fetch(url + "#" + untagged.substring(0, 7), 400);
            assertEquals("bad_request", shortId.path("status").asText());
            assertTrue(shortId.toString().contains("use the full 40-character commit id"), shortId.toString());

            JsonNode branch = s.fetch(url + "#master", 404);
            assertTrue(branch.toString().contains("has no tag 'master'"), branch.toString());

            JsonNode commit = s.fetch(url + "#" + unknown, 502);
            assertEquals("upstream_failed", commit.path("status").asText());
            assertTrue(commit.toString().contains(unknown), commit.toString());

            JsonNode query = s.fetch(url + "?ref=v1.0.0", 400);
            assertTrue(query.toString().contains("must not have a query"), query.toString());
            JsonNode archive = s.fetch("http://127.0.0.1:" + forge.port() + "/test/lib/archive/refs/tags/v1.0.0.tar.gz", 400);
            assertTrue(archive.toString().contains("is an archive, not a Git repository"), archive.toString());
            assertEquals(404, s.get("/api/info/lib").statusCode(), "no refused ref left a package behind");
        }
    }
}
