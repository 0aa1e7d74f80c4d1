package dev.packbase.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.Packbase;
import dev.packbase.domain.GitStatus;
import dev.packbase.domain.PackageName;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.TestConfigs;
import dev.packbase.testing.UpstreamRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Derived Git data is a cache of the tarballs: deleting it and restarting rebuilds it byte for byte,
 * another root ingesting the same upstream derives the same commits and pack names, and a tarball
 * that no longer matches its manifest is caught instead of served.
 */
class DerivedGitTest {
    private static final PackageName PKG = new PackageName("lib");

    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;
    @TempDir
    Path root;
    @TempDir
    Path otherRoot;

    private UpstreamRepo repo;

    @BeforeEach
    void upstream() {
        repo = Fixtures.richRepo(upstreamRoot, "lib", scratch);
    }

    private Packbase start(Path at) {
        return Packbase.start(TestConfigs.config(at, Map.of("packbase.seed", "false", "packbase.allow.file.urls", "true")),
                Clock.systemUTC());
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void deletedDerivedDataIsRebuiltIdenticallyAtStart() throws Exception {
        Packbase first = start(root);
        first.ingestor().fetch(repo.fileUrl(), null);
        Path git = root.resolve(".packbase/git/lib");
        List<String> before = files(git);
        byte[] pack = Files.readAllBytes(git.resolve(before.stream().filter(f -> f.endsWith(".pack")).findFirst().orElseThrow()));
        GitIndex index = new DerivedGit(first.storage(), first.json()).index(PKG).orElseThrow();

        Zap.tree(root.resolve(".packbase/git"));
        Packbase second = start(root);

        assertEquals(before, files(git), "same pack names (content-addressed) and files");
        assertEquals(index, new DerivedGit(second.storage(), second.json()).index(PKG).orElseThrow());
        assertEquals(pack.length, Files.readAllBytes(git.resolve(before.stream().filter(f -> f.endsWith(".pack"))
                .findFirst().orElseThrow())).length);
        GitStatus status = FetchabilityCheck.run(second.git(), PKG);
        assertTrue(status.fetchable(), status.problems().toString());
        assertTrue(second.registry().info("lib").orElseThrow().pseudoGitFetchable());
    }

    @Test
    void aPackWhoseIndexWasNeverWrittenIsRebuilt() throws Exception {
        start(root).ingestor().fetch(repo.fileUrl(), null);
        Path packs = root.resolve(".packbase/git/lib/packs");
        Path idx;
        try (Stream<Path> files = Files.list(packs)) {
            idx = files.filter(p -> p.toString().endsWith(".idx")).findFirst().orElseThrow();
        }
        Files.delete(idx); // as if the process died between writing the pack and its index

        Packbase restarted = start(root);
        assertTrue(Files.exists(idx));
        assertTrue(restarted.registry().info("lib").orElseThrow().pseudoGitFetchable());
    }

    @Test
    void anotherRootDerivesTheSameCommitsAndPacks() throws Exception {
        start(root).ingestor().fetch(repo.fileUrl(), null);
        start(otherRoot).ingestor().fetch(repo.fileUrl(), null);
        assertEquals(files(root.resolve(".packbase/git/lib")), files(otherRoot.resolve(".packbase/git/lib")));
        assertEquals(Files.readString(root.resolve(".packbase/git/lib/index.json")),
                Files.readString(otherRoot.resolve(".packbase/git/lib/index.json")));
    }

    @Test
    void aTarballThatNoLongerMatchesItsTreeIsReportedNotServed() throws Exception {
        start(root).ingestor().fetch(repo.fileUrl(), null);
        Zap.tree(root.resolve(".packbase/git"));
        // Replace v1.0.0's tarball with v1.1.0's bytes: a valid tar.gz, but not the recorded tree.
        Path v1 = root.resolve("p/lib/tag/v1.0.0.tar.gz");
        byte[] other = Files.readAllBytes(root.resolve("p/lib/tag/v1.1.0.tar.gz"));
        Files.delete(v1);
        Files.write(v1, other);

        Packbase restarted = start(root);
        var info = restarted.registry().info("lib").orElseThrow();
        assertFalse(info.pseudoGitFetchable());
        assertFalse(info.healthy());
        assertTrue(String.join(" ", info.problems()).contains("v1.0.0"), info.problems().toString());
        assertTrue(restarted.git().open(PKG).isEmpty(), "no Git data is derived from a tarball that fails its check");
    }

    /** Deletes a directory tree. */
    static final class Zap {
        static void tree(Path dir) throws Exception {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
