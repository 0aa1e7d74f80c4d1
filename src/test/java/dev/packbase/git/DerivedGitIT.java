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
 * history pack included; another root ingesting the same upstream derives the same bytes; a pack
 * left without its index or bitmap by a crash is rebuilt; and a tarball that no longer matches its
 * manifest is caught instead of served.
 */
class DerivedGitIT {
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
        Packbase pb = Packbase.start(TestConfigs.config(at, Map.of("packbase.seed", "false", "packbase.fetch.allowed.schemes", "https,http,file")),
                Clock.systemUTC());
        // The check of derived Git data runs after startup: these tests look at what it rebuilt.
        pb.derivedDataChecked().join();
        return pb;
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    /** Every derived file of the package, by path, as a hex SHA-256 of its bytes. */
    private static Map<String, String> contents(Path dir) throws Exception {
        Map<String, String> contents = new java.util.TreeMap<>();
        for (String f : files(dir)) {
            contents.put(f, java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve(f)))));
        }
        return contents;
    }

    @Test
    void deletedDerivedDataIsRebuiltIdenticallyAtStart() throws Exception {
        Packbase first = start(root);
        first.fetches().fetch(repo.fileUrl(), null);
        Path git = root.resolve(".packbase/git/lib");
        Map<String, String> before = contents(git);
        GitIndex index = new DerivedGit(first.storage(), first.json()).index(PKG).orElseThrow();
        assertTrue(index.historyPack() != null && before.containsKey("history/" + index.historyPack() + ".bitmap"),
                before.keySet().toString());

        Zap.tree(root.resolve(".packbase/git"));
        Packbase second = start(root);

        assertEquals(before, contents(git), "same names (content-addressed) and the same bytes, history pack included");
        assertEquals(index, new DerivedGit(second.storage(), second.json()).index(PKG).orElseThrow());
        GitStatus status = FetchabilityCheck.run(second.git(), PKG);
        assertTrue(status.fetchable(), status.problems().toString());
        assertTrue(second.registry().info("lib").orElseThrow().pseudoGitFetchable());
    }

    @Test
    void aPackWhoseIndexWasNeverWrittenIsRebuilt() throws Exception {
        start(root).fetches().fetch(repo.fileUrl(), null);
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
    void historyPackMissingItsBitmapOrAnIndexFromBeforeHistoryPacksIsRebuiltAtStart() throws Exception {
        Packbase first = start(root);
        first.fetches().fetch(repo.fileUrl(), null);
        Path git = root.resolve(".packbase/git/lib");
        Map<String, String> before = contents(git);
        GitIndex index = new DerivedGit(first.storage(), first.json()).index(PKG).orElseThrow();

        // A crash after the pack and its index, before the bitmap.
        Files.delete(git.resolve("history/" + index.historyPack() + ".bitmap"));
        start(root);
        assertEquals(before, contents(git));

        // An index written before history packs existed.
        Zap.tree(git.resolve("history"));
        GitIndex old = new GitIndex(index.format(), index.packageName(), index.tags(), null, List.of());
        Files.delete(git.resolve("index.json"));
        Files.write(git.resolve("index.json"), first.json().writeValueAsBytes(old));
        Packbase restarted = start(root);
        assertEquals(before, contents(git));
        assertTrue(restarted.registry().info("lib").orElseThrow().pseudoGitFetchable());
    }

    @Test
    void anotherRootDerivesTheSameCommitsAndPacks() throws Exception {
        start(root).fetches().fetch(repo.fileUrl(), null);
        start(otherRoot).fetches().fetch(repo.fileUrl(), null);
        assertEquals(contents(root.resolve(".packbase/git/lib")), contents(otherRoot.resolve(".packbase/git/lib")),
                "byte-identical packs, indexes, bitmaps and index.json");
    }

    @Test
    void aTarballThatNoLongerMatchesItsTreeIsReportedNotServed() throws Exception {
        start(root).fetches().fetch(repo.fileUrl(), null);
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
