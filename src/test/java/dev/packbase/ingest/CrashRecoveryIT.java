package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.Packbase;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.TestConfigs;
import dev.packbase.testing.UpstreamRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ingest writes tarball, then manifest, then record. These tests leave the root as a crash
 * between those steps would, and check that the next start and fetch finish the work without ever
 * changing a stored tarball.
 */
class CrashRecoveryIT {
    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;
    @TempDir
    Path root;

    private UpstreamRepo repo;

    @BeforeEach
    void upstream() {
        repo = Fixtures.richRepo(upstreamRoot, "lib", scratch);
    }

    private Packbase start() {
        return Packbase.start(TestConfigs.config(root, Map.of("packbase.seed", "false",
                "packbase.fetch.allowed.schemes", "https,http,file")), Clock.systemUTC());
    }

    private Path tarball(String tag) {
        return root.resolve("p/lib/tag/" + tag + ".tar.gz");
    }

    @Test
    void crashAfterTarballsBeforeTheRecordIsAdopted() throws Exception {
        try (Packbase first = start()) {
            first.fetches().fetch(repo.fileUrl(), null);
        }
        byte[] before = Files.readAllBytes(tarball("v1.0.0"));
        long mtime = Files.getLastModifiedTime(tarball("v1.0.0")).toMillis();
        // The record, its info entry and the snapshot were never written; v1.1.0's manifest was not either.
        Files.delete(root.resolve(".packbase/packages/lib.json"));
        Files.delete(root.resolve(".packbase/info/lib.json"));
        Files.delete(root.resolve(".packbase/package-info.json"));
        Files.delete(root.resolve("p/lib/tag/v1.1.0.json"));
        Files.writeString(Files.createDirectories(root.resolve(".packbase/tmp")).resolve("obj-123.tmp"), "half a tarball");

        Packbase restarted = start();
        assertTrue(restarted.registry().localNames().isEmpty());
        assertEquals(List.of(), Files.list(root.resolve(".packbase/tmp")).toList(), "temporary files are cleared");
        FetchResult result = restarted.fetches().fetch(repo.fileUrl(), null);

        assertEquals(0, result.tarballsCreated());
        assertEquals(3, result.tarballsPresent());
        assertArrayEquals(before, Files.readAllBytes(tarball("v1.0.0")));
        assertEquals(mtime, Files.getLastModifiedTime(tarball("v1.0.0")).toMillis(), "never rewritten");
        assertTrue(Files.exists(root.resolve("p/lib/tag/v1.1.0.json")), "the lost manifest is rebuilt");
        Digests digests = Digests.of(restarted.storage(), "p/lib/tag/v1.1.0.tar.gz");
        var manifest = restarted.registry().manifest(new dev.packbase.domain.PackageName("lib"), "v1.1.0").orElseThrow();
        assertEquals(digests.sha256(), manifest.tarball().sha256());
        assertEquals(digests.tarSha256(), manifest.tarSha256());
        assertTrue(restarted.registry().info("lib").orElseThrow().healthy());
    }

    @Test
    void anOrphanTarballThatDoesNotMatchUpstreamIsLeftAloneAndNotServed() throws Exception {
        Files.createDirectories(tarball("v1.0.0").getParent());
        byte[] foreign = dev.packbase.testing.Tarballs.class.getName().getBytes();
        Files.write(tarball("v1.0.0"), foreign);

        FetchResult result = start().fetches().fetch(repo.fileUrl(), null);

        assertArrayEquals(foreign, Files.readAllBytes(tarball("v1.0.0")), "an existing file is never overwritten");
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains("'v1.0.0'") && w.contains("left untouched")),
                result.warnings().toString());
        assertEquals(2, result.tarballCount(), "v1.0.0 is not served");
    }
}
