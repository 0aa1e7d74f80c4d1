package dev.packbase.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.testing.Cmd;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.StandaloneProcess;
import java.io.RandomAccessFile;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar packbase.war verify|reindex} on a real root. */
class OperatorIT {
    @TempDir
    Path root;
    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;
    @TempDir
    Path work;

    private StandaloneProcess command(String name) {
        return StandaloneProcess.builder(StandaloneProcess.packagedWar())
                .env(Map.of("PACKBASE_ROOT", root.toString(), "PACKBASE_FETCH_ALLOWED_SCHEMES", "https,http,file")).args(name).launch();
    }

    private void populate() throws Exception {
        var repo = Fixtures.richRepo(upstreamRoot, "lib", scratch);
        try (StandaloneProcess server = StandaloneProcess.start(StandaloneProcess.packagedWar(),
                Map.of("PACKBASE_ROOT", root.toString(), "PACKBASE_FETCH_ALLOWED_SCHEMES", "https,http,file"))) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri("/api/fetch"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + repo.fileUrl() + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    private Map<String, Long> tree() throws Exception {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), Files.getLastModifiedTime(p).toMillis() ^ Files.size(p));
            }
        }
        return files;
    }

    @Test
    void verifyReportsEveryTarballAndChangesNothing() throws Exception {
        populate();
        Map<String, Long> before = tree();
        StandaloneProcess ok = command("verify");
        assertEquals(0, ok.awaitExit(Duration.ofSeconds(120)), ok.output());
        assertTrue(ok.output().contains("[2/2] lib: 3 tarball(s) ok"), ok.output());
        assertTrue(ok.output().contains("verify: 4 tarball(s) checked, 0 problem(s)"), ok.output());

        // Flip one byte inside the compressed data: same size, different content.
        Path tarball = root.resolve("p/lib/tag/v1.0.0.tar.gz");
        try (RandomAccessFile f = new RandomAccessFile(tarball.toFile(), "rw")) {
            f.seek(40);
            int b = f.read();
            f.seek(40);
            f.write(b ^ 0xff);
        }
        Map<String, Long> corrupted = tree();
        StandaloneProcess bad = command("verify");
        assertEquals(1, bad.awaitExit(Duration.ofSeconds(120)), bad.output());
        assertTrue(bad.output().contains("v1.0.0:"), bad.output());
        assertEquals(corrupted, tree(), "verify changed nothing");
        assertTrue(!before.equals(corrupted));
    }

    @Test
    void reindexRebuildsAllDerivedStateFromTarballsAndManifests() throws Exception {
        populate();
        String tarballs = tree().keySet().stream().filter(k -> k.startsWith("p/")).toList().toString();
        for (String derived : List.of(".packbase/packages", ".packbase/info", ".packbase/git")) {
            try (Stream<Path> walk = Files.walk(root.resolve(derived))) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.delete(root.resolve(".packbase/package-info.json"));

        StandaloneProcess reindex = command("reindex");
        assertEquals(0, reindex.awaitExit(Duration.ofSeconds(180)), reindex.output());
        assertTrue(reindex.output().contains("lib: 3 tag(s), Git ok"), reindex.output());
        assertEquals(tarballs, tree().keySet().stream().filter(k -> k.startsWith("p/")).toList().toString());

        try (StandaloneProcess server = StandaloneProcess.start(StandaloneProcess.packagedWar(),
                Map.of("PACKBASE_ROOT", root.toString()))) {
            var info = new ObjectMapper().readTree(HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(server.uri("/api/info/lib")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertTrue(info.path("healthy").asBoolean(), info.toString());
            assertEquals(3, info.path("tarball_count").asInt());
            Cmd.run(work, Map.of("HOME", work.toString()), List.of("git", "clone", "-q", server.uri("/lib").toString(), "c"));
            assertTrue(Files.exists(work.resolve("c/build.zig")));
        }
    }
}
