package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.Packbase;
import dev.packbase.ingest.FetchResult;
import dev.packbase.testing.Cmd;
import dev.packbase.testing.TestConfigs;
import dev.packbase.testing.Tarballs;
import dev.packbase.testing.UpstreamRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream repositories built to hurt, with Git's plumbing (trees Git's porcelain would never write):
 * each tag is either ingested safely or skipped with a warning that says why, and nothing is written
 * outside the root.
 */
class HostileUpstreamIT {
    @TempDir
    Path outside;
    @TempDir
    Path scratch;

    private Path root;
    private UpstreamRepo repo;

    private String blob(String content) {
        Path f = scratch.resolve("blob-" + System.nanoTime());
        try {
            Files.writeString(f, content);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return repo.git("hash-object", "-w", f.toString());
    }

    /** A tree from raw "mode type id\tname" lines, written with git mktree (no porcelain checks). */
    private String tree(List<String> entries) {
        Path input = scratch.resolve("tree-" + System.nanoTime());
        try {
            Files.writeString(input, String.join("\n", entries) + "\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, String> env = new java.util.HashMap<>(repo.env());
        return Cmd.run(repo.work(), env, List.of("sh", "-c", "git mktree < '" + input + "'")).stdout().trim();
    }

    private void tag(String name, String tree) {
        Map<String, String> env = new java.util.HashMap<>(repo.env());
        env.put("GIT_AUTHOR_DATE", "@1700000000 +0000");
        env.put("GIT_COMMITTER_DATE", "@1700000000 +0000");
        String commit = Cmd.run(repo.work(), env, List.of("git", "commit-tree", tree, "-m", name)).stdout().trim();
        repo.lightweightTag(name, commit);
    }

    @Test
    void hostileTreesAreServedSafelyOrSkippedWithAReason() throws Exception {
        root = Files.createDirectories(outside.resolve("root"));
        Path upstreams = Files.createDirectories(outside.resolve("upstreams"));
        repo = UpstreamRepo.create(upstreams, "evil", scratch);
        String manifest = blob(".{ .name = \"evil\", .version = \"0.0.0\", .paths = .{\"\"} }\n");

        // Symlinks out of the package: stored as links, never followed; packbase writes no files from trees.
        tag("v1.0.0-links", tree(List.of("100644 blob " + manifest + "\tbuild.zig.zon",
                "120000 blob " + blob("/etc/passwd") + "\tabsolute",
                "120000 blob " + blob("../../../../outside.txt") + "\tescape")));
        // Names no tarball may hold.
        tag("v1.0.1-dotdot", tree(List.of("100644 blob " + manifest + "\t..")));
        tag("v1.0.2-dotgit", tree(List.of("040000 tree " + tree(List.of("100644 blob " + blob("[core]") + "\tconfig"))
                + "\t.git")));
        tag("v1.0.3-control", tree(List.of("100644 blob " + manifest + "\tbell\u0007name")));
        tag("v1.0.4-backslash", tree(List.of("100644 blob " + manifest + "\ta\\b")));
        // A mode Zig rejects and Git's porcelain never writes.
        tag("v1.0.5-mode", tree(List.of("100664 blob " + manifest + "\tgroup-writable")));
        // Case-colliding names: a tarball can hold them; they are served as they are.
        tag("v1.0.6-case", tree(List.of("100644 blob " + manifest + "\tbuild.zig.zon", "100644 blob " + blob("a") + "\tREADME",
                "100644 blob " + blob("b") + "\treadme")));
        // A submodule: recorded, not archived.
        tag("v1.0.7-gitlink", tree(List.of("100644 blob " + manifest + "\tbuild.zig.zon",
                "160000 commit " + "1".repeat(40) + "\tvendor")));
        // A very deep tree.
        String deep = tree(List.of("100644 blob " + blob("bottom") + "\tbottom.txt"));
        for (int i = 0; i < 150; i++) {
            deep = tree(List.of("040000 tree " + deep + "\td"));
        }
        tag("v1.0.8-deep", deep);
        repo.publish();

        Packbase pb = Packbase.start(TestConfigs.config(root, Map.of("packbase.seed", "false",
                "packbase.fetch.allowed.schemes", "https,http,file")), Clock.systemUTC());
        FetchResult result = pb.fetches().fetch(repo.fileUrl(), null);

        String warnings = String.join("\n", result.warnings());
        for (String skipped : List.of("v1.0.1-dotdot", "v1.0.2-dotgit", "v1.0.3-control", "v1.0.4-backslash", "v1.0.5-mode")) {
            assertTrue(warnings.contains("'" + skipped + "' skipped"), skipped + " not skipped:\n" + warnings);
            assertFalse(Files.exists(root.resolve("p/evil/tag/" + skipped + ".tar.gz")), skipped);
        }
        List<String> served = new ArrayList<>(result.created());
        served.sort(null);
        assertEquals(List.of("v1.0.0-links", "v1.0.6-case", "v1.0.7-gitlink", "v1.0.8-deep"), served);

        var links = Tarballs.entries(Tarballs.gunzip(Files.readAllBytes(root.resolve("p/evil/tag/v1.0.0-links.tar.gz"))));
        assertEquals("/etc/passwd", links.get("evil-v1.0.0-links/absolute").content());
        assertEquals('l', links.get("evil-v1.0.0-links/escape").type());
        var gitlink = pb.registry().manifest(new dev.packbase.domain.PackageName("evil"), "v1.0.7-gitlink").orElseThrow();
        assertEquals("vendor", gitlink.gitlinks().get(0).path());
        assertTrue(pb.registry().info("evil").orElseThrow().pseudoGitFetchable(), "served tags are fetchable over Git too");

        assertFalse(Files.exists(outside.resolve("outside.txt")), "nothing was written outside the root");
        try (Stream<Path> all = Files.walk(outside)) {
            assertTrue(all.allMatch(p -> p.startsWith(root) || p.startsWith(upstreams) || p.equals(outside)
                    || p.equals(outside.resolve("root")) || p.equals(upstreams)), "nothing outside root and upstreams");
        }
    }
}
