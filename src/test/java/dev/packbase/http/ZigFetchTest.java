package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.domain.PackageName;
import dev.packbase.domain.TagManifest;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.TestServer;
import dev.packbase.testing.Zig;
import dev.packbase.testing.ZigPackages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Real Zig releases against packbase: the tarball URL, {@code git+http} with no ref, with a tag, with
 * the served commit and with the upstream commit id all give the same package hash for a tag;
 * {@code zig fetch --save} writes a pinned URL and hash; {@code zig build} compiles and runs code from
 * the fetched package; and the server still answers afterwards.
 */
@Tag("zig")
class ZigFetchTest {
    static final java.util.List<String> VERSIONS = Zig.REQUIRED;

    @TempDir
    static Path upstreamRoot;
    @TempDir
    static Path scratch;
    @TempDir
    static Path root;
    @TempDir
    Path work;

    static GitHttpBackend backend;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        ZigPackages.greetRepo(upstreamRoot, "greet", scratch, false);
        ZigPackages.greetRepo(upstreamRoot, "greet-legacy", scratch, true);
        backend = GitHttpBackend.start(upstreamRoot);
        server = TestServer.start(root, Map.of("packbase.seed", "false"));
        for (String pkg : new String[] {"greet", "greet-legacy"}) {
            HttpResponse<String> r = server.postJson("/api/fetch", "{\"url\":\"" + backend.url(pkg) + "\"}");
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        backend.close();
    }

    private static TagManifest manifest(String pkg, String tag) throws Exception {
        return server.packbase().registry().manifest(new PackageName(pkg), tag).orElseThrow();
    }

    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1].trim();
    }

    @ParameterizedTest(name = "zig {0}")
    @FieldSource("VERSIONS")
    void zigFetchesAndBuildsFromPackbase(String version) throws Exception {
        Zig zig = Zig.require(version);
        String pkg = zig.legacy() ? "greet-legacy" : "greet";
        Path cache = Files.createDirectories(work.resolve("cache"));
        String base = server.uri("").toString();
        // Zig 0.16+ keeps fetched packages in the project (zig-pkg/), so every fetch runs in the consumer.
        Path app = Files.createDirectories(work.resolve("app"));
        Files.writeString(app.resolve("build.zig.zon"), ZigPackages.consumerManifest(zig.legacy()));
        Files.writeString(app.resolve("build.zig"), ZigPackages.consumerBuild(zig.legacy()));
        Files.writeString(app.resolve("main.zig"), ZigPackages.CONSUMER_MAIN);

        String tarballHash = lastLine(zig.ok(app, cache, "fetch", base + "/p/" + pkg + "/tag/v1.1.0.tar.gz").stdout());
        assertTrue(zig.legacy() ? tarballHash.startsWith("1220") : tarballHash.startsWith("greet-1.1.0-"), tarballHash);

        TagManifest latest = manifest(pkg, "v1.1.0");
        assertNotEquals(latest.commitOid(), latest.upstreamCommit(), "v1.1.0 has history upstream");
        for (String ref : new String[] {"#v1.1.0", "#" + latest.commitOid(), "#" + latest.upstreamCommit()}) {
            String url = "git+" + base + "/" + pkg + ref;
            assertEquals(tarballHash, lastLine(zig.ok(app, cache, "fetch", url).stdout()), url);
        }
        String viaGitPath = "git+" + base + "/git/" + pkg + ".git#v1.1.0";
        assertEquals(tarballHash, lastLine(zig.ok(app, cache, "fetch", viaGitPath).stdout()), viaGitPath);

        String olderHash = lastLine(zig.ok(app, cache, "fetch", base + "/p/" + pkg + "/tag/v1.0.0.tar.gz").stdout());
        assertEquals(olderHash, lastLine(zig.ok(app, cache, "fetch", "git+" + base + "/" + pkg + "#v1.0.0").stdout()));
        assertNotEquals(tarballHash, olderHash);

        // --save pins the commit packbase serves for HEAD (the latest tag).
        zig.ok(app, cache, "fetch", "--save=greet", "git+" + base + "/" + pkg);
        String zon = Files.readString(app.resolve("build.zig.zon"));
        // No fragment given: Zig resolves HEAD and pins the commit (notes/zig-client.md §2.5).
        assertTrue(zon.contains(".url = \"git+" + base + "/" + pkg + "#" + latest.commitOid() + "\""), zon);
        assertTrue(zon.contains(".hash = \"" + tarballHash + "\""), zon);

        var built = zig.ok(app, cache, "build", "run");
        assertTrue(built.stderr().contains("hello from greet 1.1.0"), built.stderr());

        // Liveness: the same server process keeps answering after all of the above.
        assertEquals(olderHash, lastLine(zig.ok(app, cache, "fetch", base + "/p/" + pkg + "/tag/v1.0.0.tar.gz").stdout()));
        Zig.deleteTree(cache);
    }
}
