package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.Tarballs;
import dev.packbase.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PACKBASE_UPSTREAM_REWRITES with real Git traffic: a github.com URL is fetched from a loopback
 * forge, the package keeps the github.com URL as its identity, and a rewrite is held to the same
 * SSRF rules as a URL that was given.
 */
class UpstreamRewritesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GITHUB_URL = "git+https://github.com/acme/lib";

    @TempDir
    Path root;
    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;

    @BeforeEach
    void upstream() throws Exception {
        Fixtures.richRepo(upstreamRoot, "lib", scratch);
    }

    @Test
    void aRewrittenUpstreamIsFetchedAndTheGivenUrlStaysTheIdentity() throws Exception {
        try (GitHttpBackend forge = GitHttpBackend.start(upstreamRoot)) {
            // The shorter rule would send traffic to a port nothing listens on: only the longest may win.
            String rewrites = "https://github.com/=http://127.0.0.1:9/nowhere/,"
                    + "https://github.com/acme/=http://127.0.0.1:" + forge.port() + "/";
            try (TestServer s = TestServer.start(root, Map.of("packbase.seed", "false",
                    "packbase.upstream.rewrites", rewrites))) {
                JsonNode body = s.fetch(GITHUB_URL, 200);
                assertTrue(body.path("tarballs_created").asInt() > 0, body.toString());
                assertEquals("lib", body.path("package").asText(), body.toString());
                assertEquals(GITHUB_URL, body.path("upstream_url").asText());
                assertTrue(forge.requestCount() >= 2, "ls-remote and fetch went to the forge");

                JsonNode info = JSON.readTree(s.get("/api/info/lib").body());
                assertEquals(GITHUB_URL, info.path("upstream_url").asText(), info.toString());

                // The same upstream again (and its .git form) is a re-check of the same package, not a conflict.
                JsonNode again = s.fetch("git+https://github.com/acme/lib.git", 200);
                assertEquals(0, again.path("tarballs_created").asInt(), again.toString());
            }
        }
    }

    @Test
    void aRewriteIntoADeniedNetworkIsRefusedAndStoresNothing() throws Exception {
        try (GitHttpBackend forge = GitHttpBackend.start(upstreamRoot);
                TestServer s = TestServer.start(root, Map.of("packbase.seed", "false",
                        "packbase.fetch.denied.networks", "169.254.0.0/16,127.0.0.0/8",
                        "packbase.upstream.rewrites", "https://github.com/acme/=http://127.0.0.1:" + forge.port() + "/"))) {
            JsonNode body = s.fetch(GITHUB_URL, 403);
            assertEquals("forbidden", body.path("status").asText());
            assertTrue(body.toString().contains("127.0.0.1") && body.toString().contains("PACKBASE_FETCH_DENIED_NETWORKS"),
                    body.toString());
            assertEquals(0, forge.requestCount(), "nothing reached the rewritten address");
            Tarballs.assertNoneUnder(root);
        }
    }
}
