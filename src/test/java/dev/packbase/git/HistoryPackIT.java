package dev.packbase.git;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.Packbase;
import dev.packbase.domain.PackageName;
import dev.packbase.testing.PktLine;
import dev.packbase.testing.Cmd;
import dev.packbase.testing.TestConfigs;
import dev.packbase.testing.TestServer;
import dev.packbase.testing.UpstreamRepo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.pack.PackStatistics;
import org.eclipse.jgit.transport.PackParser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history pack: a full clone gets the package's objects with deltas across tags, streamed from
 * one prebuilt pack, while shallow fetches of any tag still reuse whole objects only; the pack is
 * the same bytes in a fresh root and whatever order the tags were ingested in.
 */
class HistoryPackIT {
    private static final PackageName PKG = new PackageName("hist");
    private static final String[] WORDS = ("alloc buffer reader writer token parser node tree list map index cache "
            + "entry key value hash digest stream frame header block chunk page slot queue").split(" ");

    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;
    @TempDir
    Path root;
    @TempDir
    Path otherRoot;
    @TempDir
    Path work;

    private UpstreamRepo repo;
    private final Random random = new Random(7);
    private final Map<String, List<String>> files = new HashMap<>();

    /** Four releases of twelve ~4 KiB text files; each release edits a few lines and adds a file. */
    @BeforeEach
    void upstream() {
        repo = UpstreamRepo.create(upstreamRoot, "hist", scratch);
        repo.write("build.zig.zon", ".{ .name = .hist, .version = \"1.0.0\", .paths = .{\"\"} }\n");
        for (int i = 0; i < 12; i++) {
            addFile("src/f" + i + ".zig");
        }
        release(0);
        for (int r = 1; r < 4; r++) {
            for (int i = 0; i < 4; i++) {
                List<String> lines = files.get("src/f" + ((r * 5 + i * 3) % 12) + ".zig");
                lines.set(random.nextInt(lines.size()), line());
                lines.add(random.nextInt(lines.size()), line());
            }
            addFile("src/new" + r + ".zig");
            release(r);
        }
    }

    private void addFile(String path) {
        List<String> lines = new ArrayList<>();
        for (int n = 0; n < 80; n++) {
            lines.add(line());
        }
        files.put(path, lines);
    }

    private String line() {
        StringBuilder s = new StringBuilder("    const ");
        for (int w = 0; w < 7; w++) {
            s.append(WORDS[random.nextInt(WORDS.length)]).append(w == 0 ? " = " : " ");
        }
        return s.append(random.nextInt(100_000)).append(";").toString();
    }

    private void release(int r) {
        files.forEach((path, lines) -> repo.write(path, String.join("\n", lines) + "\n"));
        String commit = repo.commit("release " + r, 1_700_000_000L + r * 86_400L);
        repo.lightweightTag("v1." + r + ".0", commit);
        repo.publish();
    }

    private static Packbase start(Path at) {
        Packbase pb = Packbase.start(TestConfigs.config(at, Map.of("packbase.seed", "false", "packbase.fetch.allowed.schemes", "https,http,file")),
                Clock.systemUTC());
        // The check of derived Git data runs after startup: these tests look at what it rebuilt.
        pb.derivedDataChecked().join();
        return pb;
    }

    private static GitIndex index(Packbase pb) throws Exception {
        return new DerivedGit(pb.storage(), pb.json()).index(PKG).orElseThrow();
    }

    private static long size(Path dir, String glob) throws Exception {
        long total = 0;
        try (var files = Files.newDirectoryStream(dir, glob)) {
            for (Path p : files) {
                total += Files.size(p);
            }
        }
        return total;
    }

    /** Sends a protocol-v2 fetch through GitService; returns the pack bytes and JGit's statistics. */
    private static Fetched fetch(GitService git, List<String> commits, boolean shallow) throws Exception {
        GitService.Served served = git.open(PKG).orElseThrow();
        List<String> lines = new ArrayList<>(List.of("command=fetch", "object-format=sha1", PktLines.DELIM, "ofs-delta",
                "no-progress"));
        if (shallow) {
            lines.add("deepen 1");
        }
        commits.forEach(c -> lines.add("want " + c));
        lines.add("done");
        lines.add(PktLines.FLUSH);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Optional<PackStatistics> stats = git.upload(served, GitService.request(lines.toArray(String[]::new)), "version=2", out);
        return new Fetched(PktLine.packOf(out.toByteArray()), stats);
    }

    /** A fetched pack, with JGit's statistics when JGit made it (empty when a stored pack was sent as it is). */
    private record Fetched(byte[] pack, Optional<PackStatistics> stats) {
        PackStatistics jgit() {
            return stats.orElseThrow(() -> new AssertionError("JGit made no pack"));
        }
    }

    @Test
    void aFullFetchGetsTheHistoryPackWithDeltasAcrossTags() throws Exception {
        Packbase pb = start(root);
        pb.fetches().fetch(repo.fileUrl(), null);
        GitIndex index = index(pb);
        assertNotNull(index.historyPack(), "four tags get a history pack");
        Path history = root.resolve(".packbase/git/hist/history");
        for (String ext : List.of(".pack", ".idx", ".bitmap")) {
            assertTrue(Files.isRegularFile(history.resolve(index.historyPack() + ext)), ext);
        }
        long historyBytes = Files.size(history.resolve(index.historyPack() + ".pack"));
        long perTagBytes = size(root.resolve(".packbase/git/hist/packs"), "*.pack");
        assertTrue(historyBytes * 2 < perTagBytes,
                "history pack " + historyBytes + " B is less than half of the per-tag packs' " + perTagBytes + " B");

        String verify = Cmd.run(work, Map.of(), List.of("git", "verify-pack", "-v",
                history.resolve(index.historyPack() + ".idx").toString())).stdout();
        long deltas = verify.lines().filter(l -> l.matches("[0-9a-f]{40} (blob|tree) +\\d+ \\d+ \\d+ \\d+ [0-9a-f]{40}")).count();
        assertTrue(deltas >= 12, "blobs and trees stored as deltas: " + deltas + "\n" + verify);

        List<String> commits = index.tags().stream().map(GitIndex.Tag::commit).toList();
        Fetched full = fetch(pb.git(), commits, false);
        assertEquals(1, full.jgit().getReusedPacks().size(), "the history pack was sent whole");
        assertEquals(historyBytes, full.pack().length, "the same bytes as the stored pack (its header and trailer differ)");
        InMemoryRepository received = new InMemoryRepository(new DfsRepositoryDescription("received"));
        try (ObjectInserter ins = received.newObjectInserter()) {
            PackParser parser = ins.newPackParser(new ByteArrayInputStream(full.pack()));
            parser.setAllowThin(false);
            parser.parse(NullProgressMonitor.INSTANCE);
            ins.flush();
        }
        try (RevWalk walk = new RevWalk(received)) {
            for (GitIndex.Tag tag : index.tags()) {
                assertEquals(tag.tree(), walk.parseCommit(ObjectId.fromString(tag.commit())).getTree().name());
            }
        }
    }

    @Test
    void aDepthOneFetchOfOneTagIsItsStoredPackAndSeveralTagsAViewOfTheirPacks() throws Exception {
        Packbase pb = start(root);
        pb.fetches().fetch(repo.fileUrl(), null);
        List<GitIndex.Tag> tags = index(pb).tags();
        GitIndex.Tag first = tags.get(0);
        GitIndex.Tag last = tags.get(tags.size() - 1);
        Path packs = root.resolve(".packbase/git/hist/packs");
        for (GitIndex.Tag tag : tags) {
            Fetched one = fetch(pb.git(), List.of(tag.commit()), true);
            assertTrue(one.stats().isEmpty(), tag.tag() + ": JGit made no pack");
            assertArrayEquals(Files.readAllBytes(packs.resolve(tag.pack() + ".pack")), one.pack(),
                    tag.tag() + ": the very bytes ingest stored for the tag");
            assertEquals(tag.tree(), PackStreamCheck.read(one.pack()).orElseThrow().commitTrees().get(tag.commit()));
        }

        Fetched two = fetch(pb.git(), List.of(first.commit(), last.commit()), true);
        PackStatistics stats = two.jgit();
        assertEquals(0, stats.getTotalDeltas(), "no delta from the history pack");
        assertEquals(stats.getTotalObjects(), stats.getReusedObjects(), "nothing deflated again");
        assertTrue(stats.getReusedPacks().isEmpty());
        var contents = PackStreamCheck.read(two.pack()).orElseThrow();
        assertEquals(first.tree(), contents.commitTrees().get(first.commit()));
        assertEquals(last.tree(), contents.commitTrees().get(last.commit()));
    }

    @Test
    void gitClonesAndChecksEveryTagFromTheHistoryPack() throws Exception {
        try (TestServer server = TestServer.start(root, Map.of("packbase.seed", "false", "packbase.fetch.allowed.schemes", "https,http,file"))) {
            server.packbase().fetches().fetch(repo.fileUrl(), null);
            Map<String, String> env = Map.of("HOME", work.toString(), "GIT_CONFIG_NOSYSTEM", "1", "GIT_TERMINAL_PROMPT", "0");
            Cmd.run(work, env, List.of("git", "clone", "-q", server.uri("/hist").toString(), "c"));
            Path c = work.resolve("c");
            Cmd.run(c, env, List.of("git", "fsck", "--full", "--strict"));
            for (GitIndex.Tag tag : index(server.packbase()).tags()) {
                assertEquals(tag.tree(), Cmd.run(c, env, List.of("git", "rev-parse", tag.tag() + "^{tree}")).stdout().trim());
            }
            long received = size(c.resolve(".git/objects/pack"), "*.pack");
            long perTag = size(root.resolve(".packbase/git/hist/packs"), "*.pack");
            assertTrue(received * 2 < perTag, "the clone received " + received + " B, the per-tag packs hold " + perTag + " B");
        }
    }

    @Test
    void historyPackIsTheSameBytesInAFreshRootWhateverTheIngestOrder() throws Exception {
        Packbase first = start(root);
        first.fetches().fetch(repo.fileUrl(), null);

        // The other root sees the first two releases first, then all four.
        repo.deleteTag("v1.2.0").deleteTag("v1.3.0").publish();
        Packbase other = start(otherRoot);
        other.fetches().fetch(repo.fileUrl(), null);
        String early = index(other).historyPack();
        repo.lightweightTag("v1.2.0", "HEAD~1").lightweightTag("v1.3.0", "HEAD").publish();
        other.fetches().fetch(repo.fileUrl(), null);

        GitIndex a = index(first);
        GitIndex b = index(other);
        assertEquals(a, b);
        assertTrue(!a.historyPack().equals(early), "adding tags made a new history pack");
        for (String dir : List.of("packs", "history")) {
            for (Path file : list(root.resolve(".packbase/git/hist/" + dir))) {
                assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(otherRoot.resolve(root.relativize(file))),
                        file.toString());
            }
        }
        assertEquals(List.of(early, b.historyPack()).stream().sorted().toList(),
                list(otherRoot.resolve(".packbase/git/hist/history")).stream().map(p -> p.getFileName().toString())
                        .map(n -> n.substring(0, n.indexOf('.'))).distinct().sorted().toList(),
                "the previous history pack is kept for requests still reading it, no older one");
    }

    private static List<Path> list(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
