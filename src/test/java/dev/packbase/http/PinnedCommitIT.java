package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Cmd;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.TestServer;
import dev.packbase.testing.UpstreamRepo;
import dev.packbase.testing.Zig;
import dev.packbase.testing.ZigPackages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * A commit that no tag names, as {@code zig fetch --save git+https://…} pins a branch: mirrored with
 * {@code POST /api/fetch} of {@code git+<forge>/<repo>#<commit>} over real Git smart HTTP, served at
 * {@code /p/<pkg>/commit/<id>.tar.gz} and by the Git layer under its upstream id, so that swapping
 * only the host of the pinned URL keeps the hash every real Zig release computes from upstream itself.
 */
@Tag("zig")
class PinnedCommitIT {
    static final List<String> VERSIONS = Zig.REQUIRED;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path upstreamRoot;
    @TempDir
    static Path scratch;
    @TempDir
    static Path root;
    @TempDir
    Path work;

    static GitHttpBackend forge;
    static TestServer server;
    /** Package name → the untagged commit on top of its tags. */
    static final Map<String, String> UNTAGGED = new java.util.HashMap<>();
    static final Map<String, UpstreamRepo> REPOS = new java.util.HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        for (String pkg : new String[] {"greet", "greet-legacy"}) {
            UpstreamRepo repo = ZigPackages.greetRepo(upstreamRoot, pkg, scratch, pkg.endsWith("legacy"));
            repo.write("build.zig.zon", ZigPackages.manifest("greet", "1.2.0-dev", pkg.endsWith("legacy")))
                    .write("src/root.zig", ZigPackages.librarySource("hello from greet main"));
            UNTAGGED.put(pkg, repo.commit("work on main", 1_700_200_000L));
            REPOS.put(pkg, repo);
            repo.publish();
        }
        forge = GitHttpBackend.start(upstreamRoot);
        server = TestServer.start(root, Map.of("packbase.seed", "false"));
        for (String pkg : UNTAGGED.keySet()) {
            server.fetch("git+" + forge.url(pkg) + "#" + UNTAGGED.get(pkg), 200);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        forge.close();
    }

    private static JsonNode info(String pkg) throws Exception {
        return JSON.readTree(server.get("/api/info/" + pkg).body());
    }

    @Test
    void theCommitIsListedServedByPathAndHashAndNoTagAppears() throws Exception {
        String id = UNTAGGED.get("greet");
        JsonNode again = server.fetch("git+" + forge.url("greet") + "#" + id, 200);
        assertEquals(id, again.path("pinned").path("commit").asText(), again.toString());
        assertEquals("/p/greet/commit/" + id + ".tar.gz", again.path("pinned").path("url").asText());
        assertEquals(0, again.path("tarballs_created").asInt(), "already held");

        JsonNode info = info("greet");
        assertEquals(0, info.path("tarballs").size(), "no tag was asked for: " + info);
        JsonNode commit = info.path("commits").get(0);
        assertEquals(id, commit.path("tag").asText());
        assertEquals(id, commit.path("upstream_commit").asText());
        assertTrue(info.path("healthy").asBoolean() && info.path("pseudo_git_fetchable").asBoolean(), info.toString());

        HttpResponse<byte[]> tarball = server.getBytes(commit.path("url").asText());
        assertEquals(200, tarball.statusCode());
        assertEquals(commit.path("size_bytes").asLong(), tarball.body().length);
        HttpResponse<byte[]> byHash = server.getBytes("/h/" + commit.path("zig_hash").asText() + ".tar.gz");
        assertArrayEquals(tarball.body(), byHash.body(), "/h/ finds the commit's tarball");
        JsonNode manifest = JSON.readTree(server.get("/p/greet/commit/" + id + ".json").body());
        assertEquals(id, manifest.path("upstream_commit").asText());
        assertEquals("git+" + forge.url("greet"), manifest.path("upstream_url").asText());
        assertTrue(server.get("/p/greet/commit/" + id.substring(0, 12) + ".tar.gz").statusCode() == 404,
                "only the full id names a commit");
        assertEquals(404, server.get("/p/greet/tag/" + id + ".tar.gz").statusCode(), "a commit is not a tag");
    }

    @Test
    void gitFetchesTheCommitByItsIdWithDepthOneAndIsToldHowOtherwise() throws Exception {
        String id = UNTAGGED.get("greet");
        Path clone = work.resolve("clone");
        Cmd.run(work, Map.of(), List.of("git", "init", "-q", clone.toString()));
        String url = server.uri("/greet").toString();
        Cmd.run(clone, Map.of(), List.of("git", "-c", "protocol.version=2", "fetch", "-q", "--depth", "1", url, id));
        assertEquals(id, Cmd.run(clone, Map.of(), List.of("git", "rev-parse", "FETCH_HEAD")).stdout().strip());
        String upstreamTree = REPOS.get("greet").git("rev-parse", id + "^{tree}").strip();
        assertEquals(upstreamTree, Cmd.run(clone, Map.of(), List.of("git", "rev-parse", "FETCH_HEAD^{tree}")).stdout().strip());

        Path full = work.resolve("full");
        Cmd.run(work, Map.of(), List.of("git", "init", "-q", full.toString()));
        Cmd.Result refused = Cmd.exec(full, Map.of(), List.of("git", "-c", "protocol.version=2", "fetch", url, id));
        assertNotEquals(0, refused.exit());
        assertTrue(refused.stderr().contains("pinned commit") && refused.stderr().contains("--depth 1"), refused.stderr());
    }

    /** The upstream URL, packbase's Git URL (only the host swapped) and the tarball give Zig one hash. */
    @ParameterizedTest(name = "zig {0}")
    @FieldSource("VERSIONS")
    void hostSwappedPinnedCommitGivesUpstreamsHashAndBuilds(String version) throws Exception {
        Zig zig = Zig.require(version);
        String pkg = zig.legacy() ? "greet-legacy" : "greet";
        String id = UNTAGGED.get(pkg);
        Path cache = Files.createDirectories(work.resolve("cache"));
        Path app = ZigPackages.consumerApp(work.resolve("app"), zig.legacy());

        String fromUpstream = Zig.lastLine(zig.ok(app, cache, "fetch", "git+" + forge.url(pkg) + "#" + id).stdout());
        String base = server.uri("").toString();
        String swapped = "git+" + base + "/" + pkg + "#" + id;
        assertEquals(fromUpstream, Zig.lastLine(zig.ok(app, cache, "fetch", swapped).stdout()), swapped);
        String tarball = base + "/p/" + pkg + "/commit/" + id + ".tar.gz";
        assertEquals(fromUpstream, Zig.lastLine(zig.ok(app, cache, "fetch", tarball).stdout()), tarball);
        JsonNode commit = info(pkg).path("commits").get(0);
        assertEquals(fromUpstream, commit.path(zig.legacy() ? "zig_hash_legacy" : "zig_hash").asText(),
                "packbase reports the hash Zig prints");

        zig.ok(app, cache, "fetch", "--save=greet", swapped);
        String zon = Files.readString(app.resolve("build.zig.zon"));
        assertTrue(zon.contains(".url = \"" + swapped + "\"") && zon.contains(".hash = \"" + fromUpstream + "\""), zon);
        assertTrue(zig.ok(app, cache, "build", "run").stderr().contains("hello from greet main"));
        Zig.deleteTree(cache);
    }

    /**
     * {@code POST /api/rewrite} of what {@code zig fetch --save} wrote against upstream: the URL now points
     * at packbase's tarball, the hash is unchanged, and the build fetches from packbase alone.
     */
    @ParameterizedTest(name = "zig {0}")
    @FieldSource("VERSIONS")
    void aRewrittenManifestBuildsFromPackbaseWithTheSameHash(String version) throws Exception {
        Zig zig = Zig.require(version);
        String pkg = zig.legacy() ? "greet-legacy" : "greet";
        String id = UNTAGGED.get(pkg);
        Path cache = Files.createDirectories(work.resolve("cache"));
        Path app = ZigPackages.consumerApp(work.resolve("app"), zig.legacy());
        String upstreamUrl = "git+" + forge.url(pkg) + "#" + id;
        zig.ok(app, cache, "fetch", "--save=greet", upstreamUrl);
        String saved = Files.readString(app.resolve("build.zig.zon"));
        assertTrue(saved.contains(upstreamUrl), saved);
        Zig.deleteTree(cache);
        Zig.deleteTree(app.resolve("zig-pkg"));

        HttpResponse<String> rewritten = server.send(java.net.http.HttpRequest.newBuilder(server.uri("/api/rewrite"))
                .header("Content-Type", "text/plain").POST(java.net.http.HttpRequest.BodyPublishers.ofString(saved)));
        assertEquals(200, rewritten.statusCode(), rewritten.body());
        assertEquals("", rewritten.headers().firstValue("X-Packbase-Unmirrored").orElse("?"));
        String tarball = server.uri("/p/" + pkg + "/commit/" + id + ".tar.gz").toString();
        assertEquals(saved.replace(upstreamUrl, tarball), rewritten.body(), "only the URL changed");
        Files.writeString(app.resolve("build.zig.zon"), rewritten.body());

        int before = forge.requestCount();
        var built = zig.ok(app, Files.createDirectories(work.resolve("cache")), "build", "run");
        assertTrue(built.stderr().contains("hello from greet main"), built.stderr());
        assertEquals(before, forge.requestCount(), "the build did not reach upstream");
        Zig.deleteTree(work.resolve("cache"));
    }
}
