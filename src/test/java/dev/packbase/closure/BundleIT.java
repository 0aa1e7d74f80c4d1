package dev.packbase.closure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Cmd;
import dev.packbase.testing.DependencyTree;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.TestServer;
import dev.packbase.testing.Zig;
import dev.packbase.testing.ZigPackages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Air-gapped builds with real Zig 0.13–0.17: a consumer depends on a tagged package (which depends on
 * another), an untagged commit and a lazy package (a diamond back to the first's dependency).
 * {@code POST /api/closure} mirrors the tree; then the forge is <b>stopped</b>, {@code POST
 * /api/bundle} answers from what packbase holds, and the bundle extracted as the README says lets
 * {@code zig build --fetch} succeed, in a global cache that started empty. Without the bundle the
 * same build fails, which shows the build really is offline.
 */
@Tag("zig")
class BundleIT {
    static final List<String> VERSIONS = Zig.REQUIRED;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The consumer compiles the archive package's C source into its executable. */
    static String build(boolean legacy) {
        String exe = ZigPackages.executable(legacy);
        return "const std = @import(\"std\");\n\n"
                + "pub fn build(b: *std.Build) void {\n"
                + "    const target = b.standardTargetOptions(.{});\n"
                + "    const optimize = b.standardOptimizeOption(.{});\n"
                + "    _ = b.dependency(\"mid\", .{});\n"
                + "    _ = b.dependency(\"edge\", .{});\n"
                + "    const clib = b.dependency(\"clib\", .{});\n"
                + exe
                + "    exe.root_module.addCSourceFile(.{ .file = clib.path(\"c/add.c\"), .flags = &.{} });\n"
                + "    b.installArtifact(exe);\n"
                + "}\n";
    }

    private static final String MAIN = """
            extern fn packbase_add(a: c_int, b: c_int) c_int;

            pub fn main() u8 {
                return @intCast(packbase_add(40, 2));
            }
            """;

    @TempDir
    static Path upstreamRoot;
    @TempDir
    static Path scratch;
    @TempDir
    static Path root;
    @TempDir
    static Path zigWork;
    @TempDir
    Path work;

    static TestServer server;
    static DependencyTree modern;
    static DependencyTree legacy;

    static String consumer(DependencyTree t) {
        return t.consumer(t.dep("mid", "mid", false) + t.dep("edge", "leaf-main", false) + t.dep("other", "other", true)
                + t.dep("clib", "clib", false));
    }

    @BeforeAll
    static void start() throws Exception {
        try (GitHttpBackend forge = GitHttpBackend.start(upstreamRoot)) {
            server = TestServer.start(root, Map.of("packbase.seed", "false",
                    "packbase.upstream.rewrites", DependencyTree.githubRewrite(forge)));
            modern = DependencyTree.create(upstreamRoot, scratch, forge, "new", Zig.require("0.15.1"), zigWork.resolve("new"));
            legacy = DependencyTree.create(upstreamRoot, scratch, forge, "old", Zig.require("0.13.0"), zigWork.resolve("old"));
            for (DependencyTree t : new DependencyTree[] {modern, legacy}) {
                HttpResponse<String> r = server.postJson("/api/closure", JSON.writeValueAsString(Map.of("zon", consumer(t))));
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(JSON.readTree(r.body()).path("complete").asBoolean(), r.body());
            }
        }
        // The forge is gone from here on.
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static byte[] bundle(String zon, int status) throws Exception {
        HttpResponse<byte[]> r = server.sendBytes(java.net.http.HttpRequest.newBuilder(server.uri("/api/bundle"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("zon", zon)))));
        assertEquals(status, r.statusCode(), new String(r.body()));
        return r.body();
    }

    private static List<String> list(Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void theBundleHoldsEachPackageUnderItsHashWithExactlyTheFilesZigKeeps() throws Exception {
        Path out = Files.createDirectories(work.resolve("x"));
        Files.write(work.resolve("b.tar.gz"), bundle(consumer(modern), 200));
        Cmd.run(out, Map.of(), List.of("tar", "-xzf", work.resolve("b.tar.gz").toString()));
        List<String> files = list(out);
        for (String key : new String[] {"leaf", "leaf-main", "mid", "other", "clib"}) {
            String dir = "zig-pkg/" + modern.hash.get(key) + "/";
            assertTrue(files.contains(dir + "build.zig.zon"), key + ": " + files);
            assertFalse(files.stream().anyMatch(f -> f.startsWith(dir + "vendor/")), "outside .paths: " + files);
        }
        assertEquals(5, files.stream().map(f -> f.split("/")[1]).distinct().count(), "the diamond's leaf once: " + files);
        assertEquals(DependencyTree.C_SOURCE, Files.readString(out.resolve("zig-pkg/" + modern.hash.get("clib") + "/c/add.c")),
                "the archive package, below the top directory Zig strips");
        assertTrue(Files.readString(out.resolve("zig-pkg/" + modern.hash.get("leaf-main") + "/src/leaf.zig"))
                .contains("leaf on main"));
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(work.resolve("b.tar.gz")), bundle(consumer(modern), 200)),
                "the same closure gives the same bundle");
    }

    @Test
    void aClosureWithAPackageNotMirroredIsAConflictNamingIt() throws Exception {
        String zon = modern.consumer(modern.dep("mid", "mid", false)
                + ".gone = .{ .url = \"git+http://127.0.0.1:9/nowhere.git#v1.0.0\", .hash = \"1220" + "3".repeat(64) + "\" }, ");
        JsonNode refused = JSON.readTree(bundle(zon, 409));
        assertEquals("conflict", refused.path("status").asText(), refused.toString());
        assertEquals("gone", refused.path("nodes").get(0).path("name").asText(), refused.toString());
        assertEquals("upstream_failed", refused.path("nodes").get(0).path("status").asText());
    }

    @ParameterizedTest(name = "zig {0}")
    @FieldSource("VERSIONS")
    void anOfflineBuildSucceedsWithTheBundleAndFailsWithout(String version) throws Exception {
        Zig zig = Zig.require(version);
        DependencyTree tree = zig.legacy() ? legacy : modern;
        Path app = Files.createDirectories(work.resolve("app"));
        Files.writeString(app.resolve("build.zig.zon"), consumer(tree));
        Files.writeString(app.resolve("build.zig"), build(zig.legacy()));
        Files.writeString(app.resolve("main.zig"), MAIN);

        Path bare = zig.globalCacheWithoutPackages(work.resolve("global-bare"));
        var without = zig.run(app, Files.createDirectories(work.resolve("c1")), bare, "build", "--fetch");
        assertNotEquals(0, without.exit(), "nothing to fetch from: " + without.stderr());
        assertTrue(without.stderr().contains("ConnectionRefused"), "it failed reaching the stopped forge: " + without.stderr());

        Files.write(work.resolve("bundle.tar.gz"), bundle(consumer(tree), 200));
        Path global = zig.globalCacheWithoutPackages(work.resolve("global"));
        if (version.startsWith("0.13.") || version.startsWith("0.14.") || version.startsWith("0.15.")) {
            // README: Zig 0.13-0.15 look packages up in the global cache's p/.
            Path unpacked = Files.createDirectories(work.resolve("unpacked"));
            Cmd.run(unpacked, Map.of(), List.of("tar", "-xzf", work.resolve("bundle.tar.gz").toString()));
            Files.createDirectories(global.resolve("p"));
            try (Stream<Path> pkgs = Files.list(unpacked.resolve("zig-pkg"))) {
                for (Path p : pkgs.toList()) {
                    Files.move(p, global.resolve("p").resolve(p.getFileName().toString()));
                }
            }
        } else {
            // README: Zig 0.16+ look in the project's zig-pkg/.
            Cmd.run(app, Map.of(), List.of("tar", "-xzf", work.resolve("bundle.tar.gz").toString()));
        }
        Path local = Files.createDirectories(work.resolve("c2"));
        var fetched = zig.run(app, local, global, "build", "--fetch");
        assertEquals(0, fetched.exit(), fetched.stderr());
        // And the build itself, offline: the archive package's C source is compiled into the executable.
        var built = zig.run(app, local, global, "build");
        assertEquals(0, built.exit(), built.stderr());
        var ran = Cmd.exec(app, Map.of(), List.of(app.resolve("zig-out/bin/app").toString()));
        assertEquals(42, ran.exit(), "packbase_add(40, 2) from the C dependency");
    }

    @Test
    void anEdgeOnTheSameRootServesCommitsClosuresAndTheSameBundle() throws Exception {
        byte[] central = bundle(consumer(modern), 200);
        try (TestServer edge = TestServer.start(root, Map.of("packbase.seed", "false", "packbase.read.only", "true"))) {
            HttpResponse<byte[]> r = edge.sendBytes(java.net.http.HttpRequest.newBuilder(edge.uri("/api/bundle"))
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("zon", consumer(modern))))));
            assertEquals(200, r.statusCode(), new String(r.body()));
            assertTrue(java.util.Arrays.equals(central, r.body()), "the edge bundles what the central node holds");

            String commit = modern.url.get("leaf-main").substring(modern.url.get("leaf-main").indexOf('#') + 1);
            assertEquals(200, edge.getBytes("/p/newleaf/commit/" + commit + ".tar.gz").statusCode());
            assertEquals(200, edge.getBytes("/h/" + modern.hash.get("leaf-main") + ".tar.gz").statusCode());

            HttpResponse<String> unknown = edge.postJson("/api/closure", JSON.writeValueAsString(
                    Map.of("url", "git+http://127.0.0.1:9/elsewhere.git#v1.0.0")));
            assertEquals(200, unknown.statusCode(), unknown.body());
            JsonNode node = JSON.readTree(unknown.body()).path("nodes").get(0);
            assertEquals("upstream_failed", node.path("status").asText());
            assertTrue(node.path("message").asText().contains("read-only"), node.toString());
            assertEquals(503, edge.postJson("/api/fetch", "{\"url\":\"git+http://127.0.0.1:9/x.git\"}").statusCode());
        }
    }
}
