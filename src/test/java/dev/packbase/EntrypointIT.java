package dev.packbase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Await;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.StandaloneProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/entrypoint.sh, run directly (no Docker engine here): it materialises mounted fixture
 * repositories into the root and packbase imports them at startup; without fixtures the root gets
 * the built-in hello seed.
 */
class EntrypointIT {
    private static final Path ENTRYPOINT = Path.of("docker/entrypoint.sh");
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path root;
    @TempDir
    Path fixtures;
    @TempDir
    Path scratch;

    private String localPackages(StandaloneProcess p) throws Exception {
        return new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(p.uri("/api/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("local_packages").toString();
    }

    @Test
    void mountedFixturesAreImportedInsteadOfTheSeed() throws Exception {
        Fixtures.richRepo(fixtures, "fixture-lib", scratch);
        try (StandaloneProcess p = StandaloneProcess.builder(StandaloneProcess.packagedWar()).entrypoint(ENTRYPOINT)
                .env(Map.of("PACKBASE_ROOT", root.toString(), "PACKBASE_FIXTURES", fixtures.toString())).start()) {
            assertTrue(Files.isDirectory(root.resolve("git/fixture-lib.git/objects")), p.output());
            String packages = Await.value("fixture-lib in /api/list\n" + p.output(), Duration.ofSeconds(120),
                    () -> localPackages(p), listed -> listed.contains("fixture-lib"));
            assertEquals("[\"fixture-lib\"]", packages, p.output());
            assertEquals(200, http.send(HttpRequest.newBuilder(p.uri("/p/fixture-lib/tag/v1.1.0.tar.gz")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            assertTrue(p.output().contains("materialised 1 fixture repositories"), p.output());
        }
    }

    @Test
    void withoutFixturesTheHelloSeedIsServed() throws Exception {
        try (StandaloneProcess p = StandaloneProcess.builder(StandaloneProcess.packagedWar()).entrypoint(ENTRYPOINT)
                .env(Map.of("PACKBASE_ROOT", root.toString(), "PACKBASE_FIXTURES", fixtures.resolve("none").toString()))
                .start()) {
            assertEquals("[\"hello\"]", localPackages(p));
            assertEquals(200, http.send(HttpRequest.newBuilder(p.uri("/p/hello/tag/v0.1.0.tar.gz")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }
}
