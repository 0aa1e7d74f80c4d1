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
class ZigFetchIT {
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
        dev.packbase.testing.Fixtures.richRepo(upstreamRoot, "zlib-lite", scratch);
        var naked = dev.packbase.testing.UpstreamRepo.create(upstreamRoot, "naked", scratch);
        naked.write("src/naked.zig", "pub const x = 1;\n").executable("tools/gen.sh", "#!/bin/sh\n")
                .symlink("latest", "src/naked.zig");
        naked.lightweightTag("v0.0.1", naked.commit("naked", 1_700_000_000L)).publish();
        backend = GitHttpBackend.start(upstreamRoot);
        server = TestServer.start(root, Map.of());
        for (String pkg : new String[] {"greet", "greet-legacy", "zlib-lite", "naked"}) {
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


    /** The Zig era (notes/zig-client.md §6) a release belongs to, as packbase labels it in accepted_by. */
    private static String era(String version) {
        if (version.startsWith("0.12.") || version.startsWith("0.13.")) {
            return "0.12-0.13";
        }
        return version.startsWith("0.14.") || version.startsWith("0.15.") ? "0.14-0.15" : "0.16+";
    }

    /**
     * For every fixture package, the hash packbase reports for this Zig version is what that Zig prints
     * for the tarball; where packbase says this Zig refuses the package, it does.
     */
    @ParameterizedTest(name = "zig {0}")
    @FieldSource("VERSIONS")
    void packbaseReportsTheHashEachZigPrints(String version) throws Exception {
        Zig zig = Zig.require(version);
        Path cache = Files.createDirectories(work.resolve("cache"));
        Path app = Files.createDirectories(work.resolve("app"));
        Files.writeString(app.resolve("build.zig.zon"), ZigPackages.consumerManifest(zig.legacy()));
        Files.writeString(app.resolve("build.zig"), ZigPackages.consumerBuild(zig.legacy()));
        int checked = 0;
        for (String pkg : new String[] {"greet", "greet-legacy", "zlib-lite", "naked", "hello"}) {
            var info = new com.fasterxml.jackson.databind.ObjectMapper().readTree(server.get("/api/info/" + pkg).body());
            for (var t : info.path("tarballs")) {
                String url = server.uri(t.path("url").asText()).toString();
                boolean accepted = t.path("zig").path("accepted_by").toString().contains("\"" + era(version) + "\"");
                var fetched = zig.run(app, cache, "fetch", url);
                if (accepted) {
                    assertEquals(0, fetched.exit(), pkg + " " + t.path("tag").asText() + ": " + fetched.stderr());
                    String expected = t.path(zig.legacy() ? "zig_hash_legacy" : "zig_hash").asText();
                    assertEquals(expected, Zig.lastLine(fetched.stdout()), pkg + " " + t.path("tag").asText());
                    checked++;
                } else {
                    assertNotEquals(0, fetched.exit(), "packbase says zig " + version + " refuses " + pkg + " "
                            + t.path("tag").asText() + ", but it fetched: " + fetched.stdout());
                }
            }
        }
        assertTrue(checked >= 3, "at least some packages are checked for zig " + version);
        Zig.deleteTree(cache);
    }

    @ParameterizedTest(name = "zig {0}")
    @FieldSource("VERSIONS")
    void zigFetchesAndBuildsFromPackbase(String version) throws Exception {
        Zig zig = Zig.require(version);
        String pkg = zig.legacy() ? "greet-legacy" : "greet";
        Path cache = Files.createDirectories(work.resolve("cache"));
        String base = server.uri("").toString();
        // Zig 0.16+ keeps fetched packages in the project (zig-pkg/), so every fetch runs in the consumer.
        Path app = ZigPackages.consumerApp(work.resolve("app"), zig.legacy());

        String tarballHash = Zig.lastLine(zig.ok(app, cache, "fetch", base + "/p/" + pkg + "/tag/v1.1.0.tar.gz").stdout());
        assertTrue(zig.legacy() ? tarballHash.startsWith("1220") : tarballHash.startsWith("greet-1.1.0-"), tarballHash);

        TagManifest latest = manifest(pkg, "v1.1.0");
        assertNotEquals(latest.commitOid(), latest.upstreamCommit(), "v1.1.0 has history upstream");
        for (String ref : new String[] {"#v1.1.0", "#" + latest.commitOid(), "#" + latest.upstreamCommit()}) {
            String url = "git+" + base + "/" + pkg + ref;
            assertEquals(tarballHash, Zig.lastLine(zig.ok(app, cache, "fetch", url).stdout()), url);
        }
        String viaGitPath = "git+" + base + "/git/" + pkg + ".git#v1.1.0";
        assertEquals(tarballHash, Zig.lastLine(zig.ok(app, cache, "fetch", viaGitPath).stdout()), viaGitPath);

        String olderHash = Zig.lastLine(zig.ok(app, cache, "fetch", base + "/p/" + pkg + "/tag/v1.0.0.tar.gz").stdout());
        assertEquals(olderHash, Zig.lastLine(zig.ok(app, cache, "fetch", "git+" + base + "/" + pkg + "#v1.0.0").stdout()));
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
        assertEquals(olderHash, Zig.lastLine(zig.ok(app, cache, "fetch", base + "/p/" + pkg + "/tag/v1.0.0.tar.gz").stdout()));
        Zig.deleteTree(cache);
    }
}
