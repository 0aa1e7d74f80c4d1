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
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        server = TestServer.start(root, Map.of("packbase.seed", "false"));
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
        assertEquals("unsupported", byName(closure, "archive").path("status").asText());
        assertEquals("upstream_failed", byName(closure, "gone").path("status").asText());
        assertEquals(8, closure.path("nodes").size(), closure.toString());
        assertEquals(4, closure.path("counts").path("ok").asInt(), closure.toString());

        // The packages are served under the hashes their parents declared.
        for (String key : new String[] {"leaf", "leaf-main", "mid", "other"}) {
            assertEquals(200, server.getBytes("/h/" + HASH.get(key) + ".tar.gz").statusCode(), key);
        }
        assertEquals(404, server.get("/api/info/missing").statusCode(), "nothing is stored for the failed node");
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
