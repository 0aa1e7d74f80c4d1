package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.ErrorCode;
import dev.packbase.Packbase;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.TagManifest;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.TestConfigs;
import dev.packbase.testing.Tarballs;
import dev.packbase.testing.UpstreamRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.TreeFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest against a real upstream (git http-backend over loopback HTTP, and file: URLs): the tarball
 * of each tag reproduces the upstream tree exactly, is deterministic across roots, and is never
 * rewritten.
 */
class IngestorIT {
    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;
    @TempDir
    Path root;
    @TempDir
    Path otherRoot;

    private GitHttpBackend backend;
    private UpstreamRepo repo;

    @BeforeEach
    void upstream() throws Exception {
        repo = Fixtures.richRepo(upstreamRoot, "zlib-lite", scratch);
        backend = GitHttpBackend.start(upstreamRoot);
    }

    @AfterEach
    void stop() {
        backend.close();
    }

    private Packbase packbase(Path at) {
        return Packbase.start(TestConfigs.config(at, Map.of("packbase.seed", "false")), Clock.systemUTC());
    }

    @Test
    void everyCommitTagBecomesATarballAndOddTagsAreSkippedWithWarnings() throws Exception {
        Packbase pb = packbase(root);
        FetchResult result = pb.fetches().fetch("git+" + backend.url("zlib-lite"), null);

        assertEquals("zlib-lite", result.packageName());
        assertEquals(List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1"), result.created().stream().sorted().toList());
        assertEquals("v1.1.0", result.tag(), "a stable release beats a newer pre-release");
        assertEquals(3, result.tarballCount());
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains("tree-tag") && w.contains("tree")),
                result.warnings().toString());
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains("release/2")), result.warnings().toString());
        for (String tag : result.created()) {
            assertTrue(Files.isRegularFile(root.resolve("p/zlib-lite/tag/" + tag + ".tar.gz")));
            assertTrue(Files.isRegularFile(root.resolve("p/zlib-lite/tag/" + tag + ".json")));
        }
        try (Stream<Path> leftovers = Files.list(root.resolve(".packbase/tmp"))) {
            assertEquals(0, leftovers.count(), "the scratch repository is deleted after ingest");
        }
    }

    @Test
    void tarballEqualsGitArchiveFileForFile() throws Exception {
        packbase(root).fetches().fetch(backend.url("zlib-lite"), null);
        for (String tag : List.of("v1.0.0", "v1.1.0")) {
            byte[] ours = Tarballs.gunzip(Files.readAllBytes(root.resolve("p/zlib-lite/tag/" + tag + ".tar.gz")));
            byte[] git = repo.gitBytes("-c", "tar.umask=0022", "archive", "--format=tar",
                    "--prefix=zlib-lite-" + tag + "/", tag);
            Map<String, Tarballs.Entry> expected = Tarballs.entries(git);
            Map<String, Tarballs.Entry> actual = Tarballs.entries(ours);
            assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()),
                    "same names in the same (git tree) order");
            assertEquals(expected, actual, "same types, modes, link targets and bytes");
            assertTrue(actual.containsKey("zlib-lite-" + tag + "/" + Fixtures.LONG_PATH));
            assertTrue(actual.containsKey("zlib-lite-" + tag + "/" + Fixtures.NON_ASCII));
            assertEquals(0755, actual.get("zlib-lite-" + tag + "/tools/run.sh").mode());
            assertEquals('l', actual.get("zlib-lite-" + tag + "/link-to-build").type());
        }
    }

    @Test
    void tarMetadataIsFixedAndTheTreeRebuiltFromTheTarballIsTheUpstreamTree() throws Exception {
        packbase(root).fetches().fetch(backend.url("zlib-lite"), null);
        byte[] tar = Tarballs.gunzip(Files.readAllBytes(root.resolve("p/zlib-lite/tag/v1.0.0.tar.gz")));
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new java.io.ByteArrayInputStream(tar), "UTF-8")) {
            org.apache.commons.compress.archivers.tar.TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                assertEquals(Fixtures.T1, e.getModTime().getTime() / 1000, e.getName());
                assertEquals(0, e.getLongUserId());
                assertEquals(0, e.getLongGroupId());
                assertEquals("", e.getUserName());
                assertEquals("", e.getGroupName());
                assertFalse(e.getName().startsWith("/") || e.getName().contains("../"), e.getName());
            }
        }
        assertEquals(repo.git("rev-parse", "v1.0.0^{tree}"), treeIdOf(Tarballs.entries(tar), "zlib-lite-v1.0.0/"));
    }

    @Test
    void theSameUpstreamGivesIdenticalTarBytesInAFreshRoot() throws Exception {
        packbase(root).fetches().fetch(backend.url("zlib-lite"), null);
        // The second root ingests over file: instead of HTTP: the transport must not matter either.
        Packbase second = Packbase.start(TestConfigs.config(otherRoot,
                Map.of("packbase.seed", "false", "packbase.fetch.allowed.schemes", "https,http,file")), Clock.systemUTC());
        second.fetches().fetch(repo.fileUrl(), "zlib-lite");
        for (String tag : List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1")) {
            byte[] a = Tarballs.gunzip(Files.readAllBytes(root.resolve("p/zlib-lite/tag/" + tag + ".tar.gz")));
            byte[] b = Tarballs.gunzip(Files.readAllBytes(otherRoot.resolve("p/zlib-lite/tag/" + tag + ".tar.gz")));
            assertArrayEquals(a, b, tag);
            TagManifest m1 = packbase(root).registry().manifest(new PackageName("zlib-lite"), tag).orElseThrow();
            TagManifest m2 = second.registry().manifest(new PackageName("zlib-lite"), tag).orElseThrow();
            assertEquals(m1.tarSha256(), m2.tarSha256());
            assertEquals(m1.commitOid(), m2.commitOid(), "the served commit id is the same on every node");
        }
    }

    @Test
    void manifestRecordsProvenanceAndDigests() throws Exception {
        packbase(root).fetches().fetch(backend.url("zlib-lite"), null);
        TagManifest m = packbase(root).registry().manifest(new PackageName("zlib-lite"), "v1.0.0").orElseThrow();
        assertEquals(backend.url("zlib-lite"), m.upstreamUrl());
        assertEquals(repo.git("rev-parse", "v1.0.0^{commit}"), m.upstreamCommit());
        assertEquals(repo.git("rev-parse", "v1.0.0"), m.upstreamTagObject(), "annotated tag object recorded");
        assertEquals(repo.git("rev-parse", "v1.0.0^{tree}"), m.treeOid());
        assertArrayEquals(repo.gitBytes("cat-file", "commit", "v1.0.0^{commit}"),
                Base64.getDecoder().decode(m.upstreamCommitRaw()), "the raw upstream commit object is kept");
        // v1.0.0 is a root commit without signature: the served commit is the upstream commit itself.
        assertEquals(m.upstreamCommit(), m.commitOid());
        TagManifest second = packbase(root).registry().manifest(new PackageName("zlib-lite"), "v1.1.0").orElseThrow();
        assertNotEquals(second.upstreamCommit(), second.commitOid(), "a commit with a parent gets a parentless twin");
        assertEquals(Fixtures.T1, m.commitTime());
        byte[] gz = Files.readAllBytes(root.resolve("p/zlib-lite/tag/v1.0.0.tar.gz"));
        assertEquals(gz.length, m.tarball().sizeBytes());
        assertEquals(sha256(gz), m.tarball().sha256());
        assertEquals(sha256(Tarballs.gunzip(gz)), m.tarSha256());
        assertEquals(Tarballs.gunzip(gz).length, m.tarSizeBytes());
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(gz);
        assertEquals(String.format("%08x", crc.getValue()), m.tarball().crc32());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(gz)),
                m.tarball().md5());
        assertEquals(13, m.fileCount());
        assertNull(packbase(root).registry().manifest(new PackageName("zlib-lite"), "v1.1.0").orElseThrow()
                .upstreamTagObject(), "a lightweight tag has no tag object");
    }

    @Test
    void aMovedTagIsAWarningAndTheStoredTarballNeverChanges() throws Exception {
        Packbase pb = packbase(root);
        pb.fetches().fetch(backend.url("zlib-lite"), null);
        Path tarball = root.resolve("p/zlib-lite/tag/v1.1.0.tar.gz");
        byte[] before = Files.readAllBytes(tarball);

        repo.write("src/main.zig", "pub fn answer() u32 { return 44; }\n");
        String third = repo.commit("rewritten", Fixtures.T2 + 100);
        repo.lightweightTag("v1.1.0", third).lightweightTag("v1.2.0", third).publish();
        FetchResult again = pb.fetches().fetch(backend.url("zlib-lite"), null);

        assertArrayEquals(before, Files.readAllBytes(tarball));
        assertEquals(List.of("v1.2.0"), again.created());
        assertEquals(3, again.tarballsPresent());
        assertTrue(again.warnings().stream().anyMatch(w -> w.contains("'v1.1.0' moved")), again.warnings().toString());
        PackageRecord record = pb.registry().find(new PackageName("zlib-lite")).orElseThrow();
        assertTrue(record.warnings().stream().anyMatch(w -> w.contains("'v1.1.0' moved")));
        assertEquals(repo.git("rev-parse", "v1.0.0^{commit}").length(), 40);
    }

    @Test
    void deletedTagsAndRewrittenHistoryNeverChangeStoredBytes() throws Exception {
        Packbase pb = packbase(root);
        pb.fetches().fetch(backend.url("zlib-lite"), null);
        Map<String, String> before = new HashMap<>();
        for (String tag : List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1")) {
            before.put(tag, sha256(Files.readAllBytes(root.resolve("p/zlib-lite/tag/" + tag + ".tar.gz"))));
        }
        // Upstream deletes a tag, then rewrites its whole history (a new root commit) and re-tags.
        repo.deleteTag("v2.0.0-rc.1");
        repo.git("checkout", "-q", "--orphan", "rewritten");
        repo.write("src/main.zig", "pub fn answer() u32 { return 0; }\n");
        String rewritten = repo.commit("history rewritten", Fixtures.T2 + 1000);
        repo.git("tag", "-f", "v1.0.0", rewritten);
        repo.git("tag", "-f", "v1.1.0", rewritten);
        repo.git("push", "-q", "--force", "--mirror", repo.bare().toString());
        FetchResult again = pb.fetches().fetch(backend.url("zlib-lite"), null);

        for (String tag : List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1")) {
            assertEquals(before.get(tag), sha256(Files.readAllBytes(root.resolve("p/zlib-lite/tag/" + tag + ".tar.gz"))), tag);
        }
        assertEquals(3, again.tarballCount(), "a tag deleted upstream is still served");
        assertTrue(again.warnings().stream().filter(w -> w.contains("moved")).count() >= 2, again.warnings().toString());
        assertTrue(pb.registry().info("zlib-lite").orElseThrow().healthy());
    }

    @Test
    void aRepeatedFetchWithNoNewTagsWritesNothing() throws Exception {
        Packbase pb = packbase(root);
        pb.fetches().fetch(backend.url("zlib-lite"), null);
        long modified = Files.getLastModifiedTime(root.resolve("p/zlib-lite/tag/v1.0.0.tar.gz")).toMillis();
        FetchResult again = pb.fetches().fetch(backend.url("zlib-lite"), null);
        assertEquals(0, again.tarballsCreated());
        assertEquals(3, again.tarballsPresent());
        assertEquals(modified, Files.getLastModifiedTime(root.resolve("p/zlib-lite/tag/v1.0.0.tar.gz")).toMillis());
    }

    @Test
    void skippedTagsAreNotFetchedAgainUntilUpstreamMovesThem() throws Exception {
        Map<String, String> settings = Map.of("packbase.seed", "false", "packbase.fetch.allowed.schemes", "https,http,file");
        FetchResult first = Packbase.start(TestConfigs.config(root, settings), Clock.systemUTC()).fetches()
                .fetch(repo.fileUrl(), "zlib-lite");
        assertTrue(first.warnings().stream().anyMatch(w -> w.contains("'tree-tag'")), first.warnings().toString());
        // A restart in between: the skipped tag is remembered in the package record.
        Packbase pb = Packbase.start(TestConfigs.config(root, settings), Clock.systemUTC());
        PackageRecord record = pb.registry().find(new PackageName("zlib-lite")).orElseThrow();
        assertEquals(List.of("tree-tag"), record.skipped().stream().map(PackageRecord.SkippedTag::tag).toList());
        // JGit's in-process upload-pack (file: upstreams, fixtures) refuses a shallow fetch that wants only a
        // tree: before skipped tags were remembered, every later fetch of this package failed with 502.
        FetchResult again = pb.fetches().fetch(repo.fileUrl(), "zlib-lite");
        assertEquals(0, again.tarballsCreated());
        assertEquals(3, again.tarballsPresent());
        assertTrue(again.warnings().stream().noneMatch(w -> w.contains("'tree-tag'")), again.warnings().toString());

        repo.lightweightTag("tree-tag", "v1.1.0").publish();
        FetchResult moved = pb.fetches().fetch(repo.fileUrl(), "zlib-lite");
        assertEquals(List.of("tree-tag"), moved.created(), "a skipped tag that upstream moved is tried again");
        assertTrue(pb.registry().find(new PackageName("zlib-lite")).orElseThrow().skipped().isEmpty());
    }

    @Test
    void limitsSkipTagsThatExceedThemWithoutWritingAnything() throws Exception {
        Packbase pb = Packbase.start(TestConfigs.config(root, Map.of("packbase.seed", "false",
                "packbase.max.files", "5")), Clock.systemUTC());
        PackbaseException e = assertThrows(PackbaseException.class,
                () -> pb.fetches().fetch(backend.url("zlib-lite"), null));
        assertEquals(ErrorCode.NO_TAGS, e.code());
        assertTrue(e.getMessage().contains("PACKBASE_MAX_FILES"), e.getMessage());
        assertFalse(Files.exists(root.resolve("p/zlib-lite/tag/v1.0.0.tar.gz")));
        assertTrue(pb.registry().find(new PackageName("zlib-lite")).isEmpty());

        Packbase small = Packbase.start(TestConfigs.config(otherRoot, Map.of("packbase.seed", "false",
                "packbase.max.download.bytes", "1024")), Clock.systemUTC());
        repo.write("big.bin", randomBytes(200_000));
        repo.lightweightTag("v3.0.0", repo.commit("big", Fixtures.T2 + 5)).publish();
        PackbaseException tooBig = assertThrows(PackbaseException.class,
                () -> small.fetches().fetch(backend.url("zlib-lite"), null));
        assertEquals(ErrorCode.LIMIT_EXCEEDED, tooBig.code());
        assertTrue(tooBig.getMessage().contains("PACKBASE_MAX_DOWNLOAD_BYTES"), tooBig.getMessage());
        try (Stream<Path> leftovers = Files.list(otherRoot.resolve(".packbase/tmp"))) {
            assertEquals(0, leftovers.count());
        }
        assertFalse(Files.exists(otherRoot.resolve("p/zlib-lite")));
    }

    @Test
    void aTagWhoseTarballWouldBeTooLargeIsSkippedAndTheOthersAreServed() throws Exception {
        repo.write("big.bin", randomBytes(300_000));
        repo.lightweightTag("v3.0.0", repo.commit("big", Fixtures.T2 + 5)).publish();
        Packbase pb = Packbase.start(TestConfigs.config(root, Map.of("packbase.seed", "false",
                "packbase.max.tarball.bytes", "100k")), Clock.systemUTC());
        FetchResult result = pb.fetches().fetch(backend.url("zlib-lite"), null);
        assertEquals(List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1"), result.created().stream().sorted().toList());
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains("'v3.0.0'") && w.contains("PACKBASE_MAX_TARBALL_BYTES")),
                result.warnings().toString());
        assertFalse(Files.exists(root.resolve("p/zlib-lite/tag/v3.0.0.tar.gz")));
        try (Stream<Path> leftovers = Files.list(root.resolve(".packbase/tmp"))) {
            assertEquals(0, leftovers.count());
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void anUpstreamThatStopsAnsweringTimesOut() throws Exception {
        // A server that accepts connections and never answers: only the fetch timeout can end the wait.
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Packbase pb = Packbase.start(TestConfigs.config(root, Map.of("packbase.seed", "false",
                    "packbase.fetch.timeout.seconds", "1")), Clock.systemUTC());
            PackbaseException e = assertThrows(PackbaseException.class, () -> pb.fetches()
                    .fetch("http://127.0.0.1:" + silent.getLocalPort() + "/slow.git", null));
            assertEquals(ErrorCode.UPSTREAM_FAILED, e.code());
            assertTrue(e.getMessage().contains("slow.git"), e.getMessage());
        }
    }

    @Test
    void aRepositoryWithoutTagsIsNoTags() throws Exception {
        UpstreamRepo empty = UpstreamRepo.create(upstreamRoot, "untagged", scratch);
        empty.write("a.txt", "a").commit("only commit", Fixtures.T1);
        empty.publish();
        PackbaseException e = assertThrows(PackbaseException.class,
                () -> packbase(root).fetches().fetch(backend.url("untagged"), null));
        assertEquals(ErrorCode.NO_TAGS, e.code());
    }

    @Test
    void anUnreachableUpstreamIsUpstreamFailedWithItsMessage() {
        String url = backend.url("zlib-lite");
        backend.close();
        PackbaseException e = assertThrows(PackbaseException.class, () -> packbase(root).fetches().fetch(url, null));
        assertEquals(ErrorCode.UPSTREAM_FAILED, e.code());
        assertTrue(e.getMessage().contains(url), e.getMessage());
        PackbaseException missing = assertThrows(PackbaseException.class,
                () -> packbase(otherRoot).fetches().fetch(url.replace("zlib-lite", "nope"), null));
        assertEquals(ErrorCode.UPSTREAM_FAILED, missing.code());
    }

    /** Builds the Git tree id from tar entries the way git would store them (the pseudo-Git layer's rule). */
    private static String treeIdOf(Map<String, Tarballs.Entry> entries, String prefix) {
        Map<String, Object> rootDir = new HashMap<>();
        for (Tarballs.Entry e : entries.values()) {
            if (e.type() == 'd') {
                continue;
            }
            String[] parts = e.name().substring(prefix.length()).split("/");
            Map<String, Object> dir = rootDir;
            for (int i = 0; i < parts.length - 1; i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> next = (Map<String, Object>) dir.computeIfAbsent(parts[i], k -> new HashMap<>());
                dir = next;
            }
            dir.put(parts[parts.length - 1], e);
        }
        try (ObjectInserter.Formatter f = new ObjectInserter.Formatter()) {
            return tree(f, rootDir).name();
        }
    }

    @SuppressWarnings("unchecked")
    private static ObjectId tree(ObjectInserter.Formatter f, Map<String, Object> dir) {
        // Git order: byte order, with directory names compared as if they ended in '/'.
        List<String> names = new ArrayList<>(dir.keySet());
        Comparator<String> gitOrder = Comparator.comparing(
                n -> (dir.get(n) instanceof Map ? n + "/" : n).getBytes(StandardCharsets.UTF_8),
                java.util.Arrays::compareUnsigned);
        names.sort(gitOrder);
        TreeFormatter tf = new TreeFormatter();
        for (String n : names) {
            Object v = dir.get(n);
            if (v instanceof Map) {
                tf.append(n, FileMode.TREE, tree(f, (Map<String, Object>) v));
            } else {
                Tarballs.Entry e = (Tarballs.Entry) v;
                byte[] content = e.content().getBytes(e.type() == 'l' ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
                FileMode mode = e.type() == 'l' ? FileMode.SYMLINK
                        : (e.mode() & 0100) != 0 ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE;
                tf.append(n, mode, f.idFor(Constants.OBJ_BLOB, content));
            }
        }
        return f.idFor(Constants.OBJ_TREE, tf.toByteArray());
    }

    private static String sha256(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new java.util.Random(42).nextBytes(b);
        return b;
    }
}
