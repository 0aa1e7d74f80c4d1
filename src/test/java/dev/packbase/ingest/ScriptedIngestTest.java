package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.ErrorCode;
import dev.packbase.Packbase;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.TagManifest;
import dev.packbase.git.GitService;
import dev.packbase.storage.StorageKeys;
import dev.packbase.testing.ScriptedUpstream;
import dev.packbase.testing.Tarballs;
import dev.packbase.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest against a {@link ScriptedUpstream} (an in-memory repository, no git process, no network):
 * which tags become tarballs, what a tarball and its manifest hold, and what a later fetch may and
 * may not change. {@link IngestorIT} runs the same rules against a real upstream over HTTP and file:.
 */
class ScriptedIngestTest {
    private static final long T1 = 1_700_000_000L;
    private static final long T2 = 1_700_086_400L;
    private static final PackageName NAME = new PackageName("zlib-lite");
    private static final Map<String, String> FIRST = Map.of(
            "build.zig.zon", ".{ .name = \"zlib-lite\", .version = \"1.0.0\", .paths = .{\"\"} }\n",
            "src/main.zig", "pub fn answer() u32 { return 42; }\n",
            "src/nested/data.txt", "nested\n");

    @TempDir
    Path root;
    @TempDir
    Path otherRoot;

    private final List<Packbase> started = new ArrayList<>();
    private ScriptedUpstream upstream;
    private ObjectId first;
    private ObjectId second;

    /** Tags v1.0.0 (annotated), v1.1.0 and v2.0.0-rc.1, a tag on a tree and one whose name has a slash. */
    @BeforeEach
    void upstream() {
        upstream = new ScriptedUpstream("https://upstream.invalid/zlib-lite.git");
        first = upstream.commit(T1, FIRST);
        upstream.annotatedTag("v1.0.0", first, "release 1.0.0");
        Map<String, String> changed = new java.util.HashMap<>(FIRST);
        changed.put("src/main.zig", "pub fn answer() u32 { return 43; }\n");
        second = upstream.commit(T2, changed);
        upstream.tag("v1.1.0", second).tag("v2.0.0-rc.1", second).tag("release/2", second)
                .tag("tree-tag", upstream.treeOf(second));
    }

    @AfterEach
    void close() {
        started.forEach(Packbase::close);
    }

    private Packbase packbase(Path at, Map<String, String> settings) {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put("packbase.seed", "false");
        Packbase pb = Packbase.start(TestConfigs.config(at, all), Clock.systemUTC());
        started.add(pb);
        return pb;
    }

    private Packbase packbase(Path at) {
        return packbase(at, Map.of());
    }

    private byte[] tarball(Path at, String tag) throws Exception {
        return Files.readAllBytes(at.resolve("p/zlib-lite/tag/" + tag + ".tar.gz"));
    }

    private static void assertNoScratchLeft(Path at) throws Exception {
        try (Stream<Path> leftovers = Files.list(at.resolve(".packbase/tmp"))) {
            assertEquals(0, leftovers.count(), "the scratch area is emptied after ingest");
        }
    }

    @Test
    void everyCommitTagBecomesATarballAndOddTagsAreSkippedWithWarnings() throws Exception {
        FetchResult result = packbase(root).fetches().ingest(NAME, new TagSource(upstream));

        assertEquals(List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1"), result.created().stream().sorted().toList());
        assertEquals("v1.1.0", result.tag(), "a stable release beats a newer pre-release");
        assertEquals(3, result.tarballCount());
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains("'tree-tag'") && w.contains("tree")),
                result.warnings().toString());
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains("release/2")), result.warnings().toString());
        assertEquals(List.of(List.of("tree-tag", "v1.0.0", "v1.1.0", "v2.0.0-rc.1")), upstream.fetches(),
                "one fetch of every tag with a servable name");
        for (String tag : result.created()) {
            assertTrue(Files.isRegularFile(root.resolve("p/zlib-lite/tag/" + tag + ".json")), tag);
        }
        assertNoScratchLeft(root);
    }

    @Test
    void theTarballHoldsExactlyTheTaggedTreeUnderOneTopDirectory() throws Exception {
        packbase(root).fetches().ingest(NAME, new TagSource(upstream));
        Map<String, Tarballs.Entry> entries = Tarballs.entries(Tarballs.gunzip(tarball(root, "v1.0.0")));
        List<String> files = entries.values().stream().filter(e -> e.type() == 'f').map(Tarballs.Entry::name).toList();
        assertEquals(List.of("zlib-lite-v1.0.0/build.zig.zon", "zlib-lite-v1.0.0/src/main.zig",
                "zlib-lite-v1.0.0/src/nested/data.txt"), files, "the files in Git tree order");
        FIRST.forEach((path, content) -> assertEquals(content, entries.get("zlib-lite-v1.0.0/" + path).content(), path));
        assertEquals("pub fn answer() u32 { return 43; }\n",
                Tarballs.entries(Tarballs.gunzip(tarball(root, "v1.1.0"))).get("zlib-lite-v1.1.0/src/main.zig").content());
    }

    @Test
    void manifestRecordsProvenance() throws Exception {
        Packbase pb = packbase(root);
        pb.fetches().ingest(NAME, new TagSource(upstream));
        TagManifest annotated = pb.registry().manifest(NAME, "v1.0.0").orElseThrow();
        assertEquals(upstream.url(), annotated.upstreamUrl());
        assertEquals(first.name(), annotated.upstreamCommit());
        assertTrue(annotated.upstreamTagObject() != null && !annotated.upstreamTagObject().equals(first.name()),
                "the annotated tag object is recorded");
        assertEquals(upstream.treeOf(first).name(), annotated.treeOid());
        assertEquals(T1, annotated.commitTime());
        assertEquals(annotated.upstreamCommit(), annotated.commitOid(), "a root commit is served as it is");
        assertEquals(3, annotated.fileCount());
        assertEquals(tarball(root, "v1.0.0").length, annotated.tarball().sizeBytes());

        TagManifest lightweight = pb.registry().manifest(NAME, "v1.1.0").orElseThrow();
        assertNull(lightweight.upstreamTagObject(), "a lightweight tag has no tag object");
        assertEquals(second.name(), lightweight.upstreamCommit());
        assertFalse(lightweight.commitOid().equals(lightweight.upstreamCommit()), "a commit with a parent gets a parentless twin");
    }

    @Test
    void theSameUpstreamGivesIdenticalTarballsInAnotherRoot() throws Exception {
        packbase(root).fetches().ingest(NAME, new TagSource(upstream));
        packbase(otherRoot).fetches().ingest(NAME, new TagSource(upstream));
        for (String tag : List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1")) {
            assertArrayEquals(tarball(root, tag), tarball(otherRoot, tag), tag);
        }
    }

    @Test
    void aRepeatedFetchWithNoNewTagsFetchesAndWritesNothing() throws Exception {
        Packbase pb = packbase(root);
        pb.fetches().ingest(NAME, new TagSource(upstream));
        long modified = Files.getLastModifiedTime(root.resolve("p/zlib-lite/tag/v1.0.0.tar.gz")).toMillis();
        Path index = root.resolve(StorageKeys.gitDir(NAME) + "index.json");
        Object indexFile = Files.readAttributes(index, BasicFileAttributes.class).fileKey();
        GitService.Served view = pb.git().open(NAME).orElseThrow();
        FetchResult again = pb.fetches().ingest(NAME, new TagSource(upstream));
        assertEquals(0, again.tarballsCreated());
        assertEquals(3, again.tarballsPresent());
        assertEquals(1, upstream.fetches().size(), "known and remembered-skipped tags are not fetched again");
        assertEquals(modified, Files.getLastModifiedTime(root.resolve("p/zlib-lite/tag/v1.0.0.tar.gz")).toMillis());
        assertEquals(indexFile, Files.readAttributes(index, BasicFileAttributes.class).fileKey(),
                "the Git index is not replaced when nothing new was ingested");
        assertSame(view.repository(), pb.git().open(NAME).orElseThrow().repository(),
                "the Git layer keeps its open view of the package");
    }

    @Test
    void aSkippedTagIsRememberedUntilUpstreamMovesIt() throws Exception {
        Packbase pb = packbase(root);
        pb.fetches().ingest(NAME, new TagSource(upstream));
        PackageRecord record = pb.registry().find(NAME).orElseThrow();
        assertEquals(List.of("tree-tag"), record.skipped().stream().map(PackageRecord.SkippedTag::tag).toList());

        upstream.tag("tree-tag", second);
        FetchResult moved = pb.fetches().ingest(NAME, new TagSource(upstream));
        assertEquals(List.of("tree-tag"), moved.created(), "a skipped tag that upstream moved is tried again");
        assertEquals(List.of("tree-tag"), upstream.fetches().get(1), "only the moved tag is fetched");
        assertTrue(pb.registry().find(NAME).orElseThrow().skipped().isEmpty());
    }

    @Test
    void movedAndDeletedTagsNeverChangeStoredBytes() throws Exception {
        Packbase pb = packbase(root);
        pb.fetches().ingest(NAME, new TagSource(upstream));
        byte[] before = tarball(root, "v1.1.0");
        byte[] rc = tarball(root, "v2.0.0-rc.1");

        ObjectId third = upstream.commit(T2 + 100, Map.of("src/main.zig", "pub fn answer() u32 { return 44; }\n"));
        upstream.tag("v1.1.0", third).tag("v1.2.0", third).deleteTag("v2.0.0-rc.1");
        FetchResult again = pb.fetches().ingest(NAME, new TagSource(upstream));

        assertArrayEquals(before, tarball(root, "v1.1.0"));
        assertArrayEquals(rc, tarball(root, "v2.0.0-rc.1"));
        assertEquals(List.of("v1.2.0"), again.created());
        assertEquals(4, again.tarballCount(), "a tag deleted upstream is still served");
        assertTrue(again.warnings().stream().anyMatch(w -> w.contains("'v1.1.0' moved")), again.warnings().toString());
        assertTrue(pb.registry().find(NAME).orElseThrow().warnings().stream().anyMatch(w -> w.contains("'v1.1.0' moved")));
    }

    @Test
    void aFailedFetchIsUpstreamFailedAndWritesNothing() throws Exception {
        Packbase pb = packbase(root);
        upstream.failFetches("connection reset");
        PackbaseException e = assertThrows(PackbaseException.class, () -> pb.fetches().ingest(NAME, new TagSource(upstream)));
        assertEquals(ErrorCode.UPSTREAM_FAILED, e.code());
        assertTrue(e.getMessage().contains("connection reset"), e.getMessage());
        assertFalse(Files.exists(root.resolve("p/zlib-lite")));
        assertTrue(pb.registry().find(NAME).isEmpty());
        assertNoScratchLeft(root);
    }

    @Test
    void anUpstreamWithoutTagsIsNoTags() {
        ScriptedUpstream untagged = new ScriptedUpstream("https://upstream.invalid/untagged.git");
        untagged.commit(T1, FIRST);
        PackbaseException e = assertThrows(PackbaseException.class,
                () -> packbase(root).fetches().ingest(new PackageName("untagged"), new TagSource(untagged)));
        assertEquals(ErrorCode.NO_TAGS, e.code());
        assertTrue(untagged.fetches().isEmpty(), "nothing is fetched when there is no tag");
    }

    @Test
    void aLimitSkipsEveryTagThatExceedsItWithoutWritingAnything() throws Exception {
        Packbase pb = packbase(root, Map.of("packbase.max.files", "2"));
        PackbaseException e = assertThrows(PackbaseException.class, () -> pb.fetches().ingest(NAME, new TagSource(upstream)));
        assertEquals(ErrorCode.NO_TAGS, e.code());
        assertTrue(e.getMessage().contains("PACKBASE_MAX_FILES"), e.getMessage());
        assertFalse(Files.exists(root.resolve("p/zlib-lite/tag/v1.0.0.tar.gz")));
        assertTrue(pb.registry().find(NAME).isEmpty());
        assertNoScratchLeft(root);
    }
}
