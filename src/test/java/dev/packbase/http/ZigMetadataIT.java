package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.TestServer;
import dev.packbase.testing.ZigPackages;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Zig view of every tarball over HTTP: hashes and parsed manifest in /api/info, the
 * ready-to-paste dependency line (with the public base URL from a trusted proxy only), the plain-text
 * snippet, and fetch by hash at /h/.
 */
class ZigMetadataIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path upstreamRoot;
    @TempDir
    static Path scratch;
    @TempDir
    static Path root;

    static GitHttpBackend backend;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        ZigPackages.greetRepo(upstreamRoot, "greet", scratch, false);
        ZigPackages.greetRepo(upstreamRoot, "greet-legacy", scratch, true);
        var broken = dev.packbase.testing.UpstreamRepo.create(upstreamRoot, "broken", scratch);
        broken.write("build.zig.zon", ".{ .name = .broken, .version = \"1.0.0\", .paths = .{ \"unterminated }\n")
                .write("src/x.zig", "pub const x = 1;\n");
        broken.lightweightTag("v1.0.0", broken.commit("broken manifest", 1_700_000_000L)).publish();
        backend = GitHttpBackend.start(upstreamRoot);
        server = TestServer.start(root, Map.of());
        for (String pkg : new String[] {"greet", "greet-legacy", "broken"}) {
            assertEquals(200, server.postJson("/api/fetch", "{\"url\":\"" + backend.url(pkg) + "\"}").statusCode());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        backend.close();
    }

    private static JsonNode tarball(String pkg, String tag, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/api/info/" + pkg));
        if (headers.length > 0) {
            b.headers(headers);
        }
        for (JsonNode t : JSON.readTree(server.send(b).body()).path("tarballs")) {
            if (t.path("tag").asText().equals(tag)) {
                return t;
            }
        }
        throw new AssertionError("no tarball " + tag);
    }

    @Test
    void infoShowsHashesManifestAndSnippet() throws Exception {
        JsonNode t = tarball("greet", "v1.1.0");
        String hash = t.path("zig_hash").asText();
        assertTrue(hash.startsWith("greet-1.1.0-") && hash.length() == "greet-1.1.0-".length() + 44, hash);
        assertTrue(t.path("zig_hash_legacy").asText().matches("1220[0-9a-f]{64}"));
        JsonNode zig = t.path("zig");
        assertEquals("greet", zig.path("name").asText());
        assertEquals("enum_literal", zig.path("name_form").asText());
        assertEquals("1.1.0", zig.path("version").asText());
        assertEquals(String.format("0x%016x", ZigPackages.fingerprint("greet", 0x5eed0001)), zig.path("fingerprint").asText());
        assertEquals("[\"build.zig\",\"build.zig.zon\",\"src\"]", zig.path("paths").toString());
        assertTrue(zig.path("accepted_by").toString().contains("0.16+"), zig.toString());
        assertEquals(".greet = .{ .url = \"" + server.uri("/p/greet/tag/v1.1.0.tar.gz") + "\", .hash = \"" + hash + "\" },",
                t.path("zig_dependency").asText());

        JsonNode legacy = tarball("greet-legacy", "v1.1.0");
        assertEquals("string", legacy.path("zig").path("name_form").asText());
        assertTrue(legacy.path("zig").path("accepted_by").toString().contains("0.12-0.13"));

        JsonNode seed = tarball("hello", "v0.1.0");
        assertTrue(seed.path("zig_hash").asText().startsWith("hello-0.1.0-"), seed.toString());
        assertTrue(seed.path("zig").path("accepted_by").toString().contains("0.14-0.15")
                && seed.path("zig").path("accepted_by").toString().contains("0.16+"), "the seed is valid for Zig >= 0.14");
    }

    @Test
    void aMalformedManifestIsAWarningOnTheTagNeverAnIngestFailure() throws Exception {
        JsonNode t = tarball("broken", "v1.0.0");
        assertTrue(t.path("zig").path("manifest_error").asText().contains(":"), t.toString());
        assertTrue(t.path("zig_hash").isMissingNode() || t.path("zig_hash").isNull(), t.toString());
        assertEquals("[]", t.path("zig").path("accepted_by").toString(), "no Zig fetches a package whose manifest fails");
        assertEquals(404, server.get("/p/broken/tag/v1.0.0.zon").statusCode());
        JsonNode info = JSON.readTree(server.get("/api/info/broken").body());
        assertTrue(info.path("healthy").asBoolean(), "the tarball itself is fine: " + info);
        assertEquals(200, server.getBytes("/p/broken/tag/v1.0.0.tar.gz").statusCode());
    }

    @Test
    void theSnippetUsesForwardedHostsOnlyFromTrustedProxies() throws Exception {
        // The test client connects from 127.0.0.1, which is trusted by default.
        JsonNode proxied = tarball("greet", "v1.1.0", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "pkg.example.com");
        assertTrue(proxied.path("zig_dependency").asText().contains("\"https://pkg.example.com/p/greet/tag/v1.1.0.tar.gz\""),
                proxied.toString());
        try (TestServer untrusting = TestServer.start(root, Map.of("packbase.trusted.proxies", ""))) {
            HttpResponse<String> r = untrusting.send(HttpRequest.newBuilder(untrusting.uri("/p/greet/tag/v1.1.0.zon"))
                    .header("X-Forwarded-Host", "evil.example.com"));
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains(untrusting.uri("/p/greet/tag/v1.1.0.tar.gz").toString()), r.body());
        }
        try (TestServer configured = TestServer.start(root, Map.of("packbase.base.url", "https://zig.example.org/mirror/"))) {
            String body = configured.get("/p/greet/tag/v1.1.0.zon").body();
            assertTrue(body.startsWith(".greet = .{ .url = \"https://zig.example.org/mirror/p/greet/tag/v1.1.0.tar.gz\""), body);
        }
    }

    @Test
    void plainTextSnippetsForBothHashForms() throws Exception {
        HttpResponse<String> modern = server.get("/p/greet/tag/v1.0.0.zon");
        assertEquals(200, modern.statusCode());
        assertTrue(modern.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertEquals(tarball("greet", "v1.0.0").path("zig_dependency").asText() + "\n", modern.body());
        String legacy = server.get("/p/greet-legacy/tag/v1.0.0.zon?zig=0.13").body();
        assertTrue(legacy.contains(".hash = \"" + tarball("greet-legacy", "v1.0.0").path("zig_hash_legacy").asText() + "\""),
                legacy);
    }

    @Test
    void fetchByHashServesTheSameTarballForBothForms() throws Exception {
        JsonNode t = tarball("greet", "v1.0.0");
        byte[] expected = server.stored("p/greet/tag/v1.0.0.tar.gz");
        for (String hash : new String[] {t.path("zig_hash").asText(), t.path("zig_hash_legacy").asText()}) {
            HttpResponse<byte[]> r = server.getBytes("/h/" + hash + ".tar.gz");
            assertEquals(200, r.statusCode(), hash);
            assertArrayEquals(expected, r.body());
            assertEquals("application/gzip", r.headers().firstValue("Content-Type").orElseThrow());
            assertNotNull(r.headers().firstValue("ETag").orElse(null));
            assertTrue(r.headers().firstValue("Cache-Control").orElseThrow().contains("immutable"));
        }
        HttpResponse<String> unknown = server.get("/h/greet-9.9.9-" + "A".repeat(44) + ".tar.gz");
        assertEquals(404, unknown.statusCode());
        assertEquals("not_found", JSON.readTree(unknown.body()).path("status").asText());
    }
}
