package dev.packbase.closure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.CatalogServer;
import dev.packbase.testing.DependencyTree;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.TestServer;
import dev.packbase.testing.UpstreamRepo;
import dev.packbase.testing.Zig;
import dev.packbase.testing.ZigPackages;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/closure} over a loopback forge (real git smart HTTP): a tree with a tag dependency,
 * an untagged commit, a lazy dependency, a dependency of a dependency reached twice (a diamond), a
 * {@code .path} dependency, a wrong hash, an archive URL and an unreachable repository; each node gets
 * its status, the diamond is one node with two parents, and a root's closure is stored. The hashes the
 * fixture declares are what a real Zig prints for the upstream URLs.
 */
@Tag("zig")
class ClosureIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path upstreamRoot;
    @TempDir
    static Path scratch;
    @TempDir
    static Path root;
    @TempDir
    static Path zigWork;

    static GitHttpBackend forge;
    static TestServer server;
    static DependencyTree tree;
    static Map<String, String> URL;
    static Map<String, String> HASH;

    static String dep(String name, String key, boolean lazy) {
        return tree.dep(name, key, lazy);
    }

    @BeforeAll
    static void start() throws Exception {
        forge = GitHttpBackend.start(upstreamRoot);
        tree = DependencyTree.create(upstreamRoot, scratch, forge, "", Zig.require("0.15.1"), zigWork);
        URL = tree.url;
        HASH = tree.hash;
        server = TestServer.start(root, Map.of("packbase.seed", "false",
                "packbase.upstream.rewrites", DependencyTree.githubRewrite(forge)));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        forge.close();
    }

    private static JsonNode post(TestServer s, Object body, int status) throws Exception {
        HttpResponse<String> r = s.postJson("/api/closure", JSON.writeValueAsString(body));
        assertEquals(status, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode byName(JsonNode closure, String name) {
        for (JsonNode n : closure.path("nodes")) {
            if (name.equals(n.path("name").asText())) {
                return n;
            }
        }
        throw new AssertionError("no node " + name + " in " + closure);
    }

    @Test
    void everyNodeOfTheTreeGetsItsStatusAndTheDiamondIsOneNode() throws Exception {
        String zon = ".{ .name = .app, .version = \"0.0.0\", .fingerprint = 0x" + Long.toHexString(ZigPackages.fingerprint("app", 7))
                + ", .dependencies = .{ " + dep("mid", "mid", false) + dep("other", "other", true) + dep("edge", "leaf-main", false)
                + ".wrong = .{ .url = \"" + URL.get("other") + "\", .hash = \"1220" + "0".repeat(64) + "\" }, "
                + ".archive = .{ .url = \"https://example.invalid/zlib-1.3.1.tar.gz\", .hash = \"1220" + "1".repeat(64) + "\" }, "
                + ".gone = .{ .url = \"git+" + forge.url("missing") + "#v1.0.0\", .hash = \"1220" + "2".repeat(64) + "\" }, "
                + "}, .paths = .{\"\"} }";
        JsonNode closure = post(server, Map.of("zon", zon), 200);

        assertFalse(closure.path("complete").asBoolean(), closure.toString());
        for (String name : new String[] {"mid", "other", "edge"}) {
            JsonNode n = byName(closure, name);
            assertEquals("ok", n.path("status").asText(), n.toString());
            assertEquals(n.path("hash").asText(), n.path("computed_hash").asText());
            assertEquals(1, n.path("depth").asInt());
            assertEquals("/h/" + n.path("hash").asText() + ".tar.gz", n.path("packbase_url").asText());
        }
        assertTrue(byName(closure, "other").path("lazy").asBoolean(), "lazy dependencies are mirrored too");

        JsonNode leaf = byName(closure, "leaf");
        assertEquals("ok", leaf.path("status").asText());
        assertEquals(2, leaf.path("depth").asInt());
        assertEquals(List.of(HASH.get("mid"), HASH.get("other")), JSON.convertValue(leaf.path("parents"), List.class),
                "reached from both, listed once");
        assertEquals(HASH.get("leaf"), leaf.path("computed_hash").asText());
        assertEquals("skipped_path", byName(closure, "local").path("status").asText());

        JsonNode wrong = byName(closure, "wrong");
        assertEquals("hash_mismatch", wrong.path("status").asText());
        assertTrue(wrong.path("computed_hash").asText().startsWith("1220"), "checked in the form the parent declared");
        assertFalse(wrong.path("computed_hash").asText().equals(wrong.path("hash").asText()));
        assertTrue(wrong.path("message").asText().contains("declares"), wrong.toString());
        JsonNode archive = byName(closure, "archive");
        assertEquals("upstream_failed", archive.path("status").asText(), archive.toString());
        assertTrue(archive.path("message").asText().contains("example.invalid"), archive.toString());
        assertEquals("upstream_failed", byName(closure, "gone").path("status").asText());
        assertEquals(8, closure.path("nodes").size(), closure.toString());
        assertEquals(4, closure.path("counts").path("ok").asInt(), closure.toString());

        // The packages are served under the hashes their parents declared.
        for (String key : new String[] {"leaf", "leaf-main", "mid", "other"}) {
            assertEquals(200, server.getBytes("/h/" + HASH.get(key) + ".tar.gz").statusCode(), key);
        }
        assertEquals(404, server.get("/api/info/missing").statusCode(), "nothing is stored for the failed node");
    }

    /** The objects under {@code dir}, on either backend. */
    private static List<String> stored(String dir) throws Exception {
        return server.packbase().storage().list(dir + "/");
    }

    @Test
    void anArchiveDependencyIsMirroredOnceUnderTheHashZigComputesAndFetchesFromPackbase(@TempDir Path zigHome)
            throws Exception {
        String zon = ".{ .name = .app, .version = \"0.0.0\", .fingerprint = 0x" + Long.toHexString(ZigPackages.fingerprint("app", 8))
                + ", .dependencies = .{ " + dep("clib", "clib", false) + "}, .paths = .{\"\"} }";
        JsonNode closure = post(server, Map.of("zon", zon), 200);
        JsonNode clib = byName(closure, "clib");
        assertEquals("ok", clib.path("status").asText(), clib.toString());
        assertEquals(HASH.get("clib"), clib.path("computed_hash").asText(), "the hash Zig computed for the forge's archive");
        assertEquals(URL.get("clib"), clib.path("url").asText(), "the identity stays the github.com URL");
        assertTrue(closure.path("complete").asBoolean(), closure.toString());

        // The manifest says where the bytes came from and what they were.
        HttpResponse<byte[]> original = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(forge.archiveUrl("test", "clib", "refs/tags/v1.0.0", "tar.gz"))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        JsonNode manifest = null;
        for (String key : stored("h")) {
            JsonNode m = key.endsWith(".json") ? JSON.readTree(server.stored(key)) : null;
            manifest = m != null && m.path("url").asText().equals(URL.get("clib")) ? m : manifest;
        }
        assertTrue(manifest != null, "a manifest under h/ names the URL: " + stored("h"));
        assertEquals(HASH.get("clib"), manifest.path("zig").path("hash").asText());
        assertEquals(URL.get("clib"), manifest.path("url").asText());
        assertEquals(original.body().length, manifest.path("size_bytes").asLong());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(original.body())), manifest.path("sha256").asText());
        assertEquals("tar.gz", manifest.path("type").asText());
        assertEquals("clib-v1.0.0", manifest.path("root").asText(), "git archive's top directory, stripped");

        // The same URL again is the same package: no download.
        int requests = forge.requestCount();
        assertEquals("ok", byName(post(server, Map.of("zon", zon), 200), "clib").path("status").asText());
        assertEquals(requests, forge.requestCount(), "mirrored once");

        // Real Zig fetches packbase's tarball and computes the declared hash.
        Zig zig = Zig.require("0.15.1");
        Path project = Files.createDirectories(zigHome.resolve("p"));
        ZigPackages.consumerApp(project, false);
        String fetched = Zig.lastLine(zig.ok(project, zigHome.resolve("cache"), "fetch",
                server.uri(clib.path("packbase_url").asText()).toString()).stdout());
        assertEquals(HASH.get("clib"), fetched);
    }

    private static void assertNode(JsonNode closure, String name, String status, String words) {
        JsonNode n = byName(closure, name);
        assertEquals(status, n.path("status").asText(), n.toString());
        assertTrue(n.path("message").asText().contains(words), n.toString());
    }

    @Test
    void aWrongHashABombAndAZipOutOfTheTreeEachGetTheirStatusAndLeaveNothing() throws Exception {
        List<String> before = stored("h");
        List<String> pointersBefore = stored(".packbase/archives");
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bomb))) {
            TarArchiveEntry e = new TarArchiveEntry("bomb/zeros");
            e.setSize(300L << 20); // past PACKBASE_MAX_TARBALL_BYTES (256 MiB) once inflated
            tar.putArchiveEntry(e);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 300; i++) {
                tar.write(zeros);
            }
            tar.closeArchiveEntry();
        }
        ByteArrayOutputStream escape = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(escape)) {
            zip.putArchiveEntry(new ZipArchiveEntry("pkg/build.zig"));
            zip.write("x".getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
            zip.putArchiveEntry(new ZipArchiveEntry("pkg/../../outside"));
            zip.write("x".getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
        }
        String bombUrl = forge.asset("/assets/bomb.tar.gz", bomb.toByteArray(), "application/gzip");
        String zipUrl = forge.asset("/assets/escape.zip", escape.toByteArray(), "application/zip");
        String htmlUrl = forge.asset("/assets/login", "<html>".getBytes(StandardCharsets.UTF_8), "text/html");
        String sha = forge.archiveUrl("test", "leaf", URL.get("leaf-main").substring(URL.get("leaf-main").indexOf('#') + 1),
                "tar.gz");
        String zon = ".{ .name = .app, .version = \"0.0.0\", .fingerprint = 0x" + Long.toHexString(ZigPackages.fingerprint("app", 9))
                + ", .dependencies = .{ "
                + ".wrong = .{ .url = \"" + sha + "\", .hash = \"" + HASH.get("leaf") + "\" }, "
                + ".bomb = .{ .url = \"" + bombUrl + "\", .hash = \"1220" + "3".repeat(64) + "\" }, "
                + ".escape = .{ .url = \"" + zipUrl + "\", .hash = \"1220" + "4".repeat(64) + "\" }, "
                + ".html = .{ .url = \"" + htmlUrl + "\", .hash = \"1220" + "5".repeat(64) + "\" }, "
                + "}, .paths = .{\"\"} }";
        JsonNode closure = post(server, Map.of("zon", zon), 200);

        assertNode(closure, "wrong", "hash_mismatch", "nothing was stored");
        assertNode(closure, "bomb", "limit_exceeded", "archive bomb");
        assertNode(closure, "escape", "unsupported", "leaves the package tree");
        assertNode(closure, "html", "unsupported", "text/html");

        assertEquals(before, stored("h"), "no tarball or manifest for any of them");
        assertEquals(pointersBefore, stored(".packbase/archives"), "and no pointer");
        assertEquals(List.of(), stored(".packbase/tmp"), "the scratch files are gone");
    }

    @Test
    void aRootsClosureIsStoredAndReadBack() throws Exception {
        JsonNode byUrl = post(server, Map.of("url", URL.get("mid")), 200);
        assertTrue(byUrl.path("complete").asBoolean(), byUrl.toString());
        assertEquals(List.of(0, 1), List.of(byUrl.path("nodes").get(0).path("depth").asInt(),
                byUrl.path("nodes").get(1).path("depth").asInt()));

        // /api/info shows each version's dependencies with their mirror status, as of now.
        JsonNode dep = JSON.readTree(server.get("/api/info/mid").body()).path("tarballs").get(0).path("dependencies").get(0);
        assertEquals("leaf", dep.path("name").asText());
        assertTrue(dep.path("mirrored").asBoolean(), dep.toString());
        assertEquals("/h/" + HASH.get("leaf") + ".tar.gz", dep.path("packbase_url").asText());

        JsonNode stored = JSON.readTree(server.get("/api/closure/mid/v1.0.0").body());
        assertEquals(byUrl.path("nodes"), stored.path("nodes"));
        JsonNode again = post(server, Map.of("package", "mid", "tag", "v1.0.0"), 200);
        assertEquals(1, again.path("nodes").size(), "a version's closure is its dependencies");
        assertEquals(HASH.get("leaf"), again.path("nodes").get(0).path("computed_hash").asText());
        assertEquals(again.path("nodes"), JSON.readTree(server.get("/api/closure/mid/v1.0.0").body()).path("nodes"));

        assertEquals(404, server.get("/api/closure/leaf/v9.9.9").statusCode());
        assertEquals(400, server.postJson("/api/closure", "{\"package\":\"mid\"}").statusCode());
        assertEquals(400, server.postJson("/api/closure", "{}").statusCode());
        assertEquals(400, server.postJson("/api/closure", "{\"zon\":\".{ .dependencies = \"}").statusCode());
    }

    @Test
    void nodesPastTheLimitAreReportedNotFetched(@TempDir Path other) throws Exception {
        try (TestServer small = TestServer.start(other, Map.of("packbase.seed", "false", "packbase.max.closure.nodes", "1"))) {
            JsonNode closure = post(small, Map.of("url", URL.get("mid")), 200);
            assertEquals("ok", closure.path("nodes").get(0).path("status").asText());
            assertEquals("limit_exceeded", closure.path("nodes").get(1).path("status").asText(), closure.toString());
            assertEquals(404, small.get("/api/info/leaf").statusCode(), "the node past the limit was not fetched");
        }
    }

    @Test
    void aDependencyRewrittenIntoADeniedNetworkIsRefusedBeforeAnyTraffic(@TempDir Path other) throws Exception {
        try (TestServer guarded = TestServer.start(other, Map.of("packbase.seed", "false",
                "packbase.upstream.rewrites", "https://github.com/=http://169.254.169.254/"))) {
            String zon = ".{ .name = .app, .version = \"0.0.0\", .dependencies = .{ .meta = .{ .url = "
                    + "\"git+https://github.com/o/meta#v1.0.0\", .hash = \"1220" + "4".repeat(64) + "\" }, "
                    + dep("mid", "mid", false) + "}, .paths = .{\"\"} }";
            JsonNode closure = post(guarded, Map.of("zon", zon), 200);
            JsonNode meta = byName(closure, "meta");
            assertEquals("upstream_failed", meta.path("status").asText(), meta.toString());
            assertTrue(meta.path("message").asText().contains("169.254.169.254"), meta.toString());
            assertEquals("ok", byName(closure, "mid").path("status").asText(), "the other nodes go on");
            assertEquals(404, guarded.get("/api/info/meta").statusCode());
        }
    }

    @Test
    void anUpdateMirrorsTheClosureOfARootsNewTag(@TempDir Path other) throws Exception {
        UpstreamRepo grow = UpstreamRepo.create(upstreamRoot, "grow", scratch);
        String zon = ZigPackages.manifest("grow", "1.0.0", false);
        grow.write("build.zig.zon", zon.replace(".dependencies = .{},", ".dependencies = .{ " + dep("leaf", "leaf", false) + "},"));
        grow.lightweightTag("v1.0.0", grow.commit("grow 1.0.0", 1_700_000_000L)).publish();
        try (CatalogServer catalog = new CatalogServer();
                TestServer central = TestServer.start(other, Map.of("packbase.seed", "false", "packbase.source",
                        catalog.uri().toString(), "packbase.update.ttl.seconds", "0", "packbase.update.cooldown.seconds", "0"))) {
            assertTrue(post(central, Map.of("url", "git+" + forge.url("grow") + "#v1.0.0"), 200).path("complete").asBoolean());

            grow.write("build.zig.zon", ZigPackages.manifest("grow", "1.1.0", false)
                    .replace(".dependencies = .{},", ".dependencies = .{ " + dep("leaf", "leaf-main", false) + "},"));
            grow.lightweightTag("v1.1.0", grow.commit("grow 1.1.0", 1_700_100_000L)).publish();
            catalog.set("{\"packages\":[{\"name\":\"grow\",\"url\":\"git+" + forge.url("grow") + "\"}]}");
            HttpResponse<String> update = central.postJson("/api/update", "{}");
            assertEquals(200, update.statusCode(), update.body());

            HttpResponse<String> stored = central.get("/api/closure/grow/v1.1.0");
            assertEquals(200, stored.statusCode(), "the new tag's closure was mirrored with it: " + stored.body());
            JsonNode leaf = JSON.readTree(stored.body()).path("nodes").get(0);
            assertEquals("ok", leaf.path("status").asText(), leaf.toString());
            assertEquals(HASH.get("leaf-main"), leaf.path("computed_hash").asText());
            assertEquals(200, central.getBytes("/h/" + HASH.get("leaf-main") + ".tar.gz").statusCode());
        }
    }
}
