package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.ErrorCode;
import dev.packbase.Packbase;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.TagEntry;
import dev.packbase.domain.TagManifest;
import dev.packbase.testing.ScriptedUpstream;
import dev.packbase.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit that no tag names, pinned as {@code #<full id>}, against a {@link ScriptedUpstream}: it
 * becomes one immutable tarball and manifest under {@code commit/<id>}, a record entry beside the
 * tags that no later fetch changes, a Zig hash equal to what a tag on the same commit gets, and a
 * version the Git layer's own check fetches.
 */
class PinnedCommitTest {
    private static final PackageName NAME = new PackageName("lib");
    private static final Map<String, String> FILES = Map.of(
            "build.zig.zon", ".{ .name = \"lib\", .version = \"0.1.0\", .paths = .{\"\"} }\n",
            "src/lib.zig", "pub fn answer() u32 { return 42; }\n");

    @TempDir
    Path root;
    @TempDir
    Path otherRoot;

    private final List<Packbase> started = new ArrayList<>();
    private ScriptedUpstream upstream;
    private ObjectId tagged;
    private ObjectId untagged;

    @BeforeEach
    void upstream() {
        upstream = new ScriptedUpstream("https://upstream.invalid/lib.git");
        tagged = upstream.commit(1_700_000_000L, FILES);
        upstream.tag("v0.1.0", tagged);
        Map<String, String> next = new java.util.HashMap<>(FILES);
        next.put("src/lib.zig", "pub fn answer() u32 { return 43; }\n");
        untagged = upstream.commit(1_700_086_400L, next);
    }

    @AfterEach
    void close() {
        started.forEach(Packbase::close);
    }

    private Packbase packbase(Path at) {
        Packbase pb = Packbase.start(TestConfigs.config(at, Map.of("packbase.seed", "false")), Clock.systemUTC());
        started.add(pb);
        return pb;
    }

    private static FetchResult pin(Packbase pb, ScriptedUpstream upstream, String ref) {
        return pb.fetches().ingest(NAME, new RefSource(upstream, ref));
    }

    @Test
    void anUntaggedCommitBecomesItsOwnTarballBesideTheTags() throws Exception {
        Packbase pb = packbase(root);
        FetchResult result = pin(pb, upstream, untagged.name());

        assertEquals(new FetchResult.Pinned(RefKind.COMMIT, untagged.name()), result.pinned());
        assertNull(result.tag(), "the package has no tag yet");
        assertEquals(List.of(untagged.name()), result.created());
        assertTrue(Files.isRegularFile(root.resolve("p/lib/commit/" + untagged.name() + ".tar.gz")));
        assertFalse(Files.exists(root.resolve("p/lib/tag")), "nothing under tag/");

        PackageRecord record = pb.registry().find(NAME).orElseThrow();
        assertEquals(List.of(), record.tags());
        assertEquals(List.of(untagged.name()), record.commits().stream().map(TagEntry::tag).toList());
        TagManifest manifest = pb.registry().manifest(NAME, RefKind.COMMIT, untagged.name()).orElseThrow();
        assertEquals(untagged.name(), manifest.upstreamCommit());
        assertEquals(untagged.name(), manifest.upstreamRef(), "the ref that was asked for");
        assertEquals("https://upstream.invalid/lib.git", manifest.upstreamUrl());

        PackageInfo info = pb.registry().info("lib").orElseThrow();
        assertTrue(info.available() && info.healthy(), info.problems().toString());
        assertTrue(info.pseudoGitFetchable(), "the Git check fetched the commit by its id: " + info.gitProblems());
        assertEquals(List.of("/p/lib/commit/" + untagged.name() + ".tar.gz"),
                info.commits().stream().map(PackageInfo.TarballInfo::url).toList());
        assertEquals(List.of(), info.tarballs());
    }

    @Test
    void aPinnedCommitIsFetchedOnceAndNoLaterFetchChangesIt() throws Exception {
        Packbase pb = packbase(root);
        pin(pb, upstream, untagged.name());
        Path tarball = root.resolve("p/lib/commit/" + untagged.name() + ".tar.gz");
        byte[] bytes = Files.readAllBytes(tarball);
        int fetches = upstream.fetches().size();

        FetchResult again = pin(pb, upstream, untagged.name());
        assertEquals(0, again.tarballsCreated());
        assertEquals(fetches, upstream.fetches().size(), "a held commit is not downloaded again");

        FetchResult tags = pb.fetches().ingest(NAME, new TagSource(upstream));
        assertEquals(List.of("v0.1.0"), tags.created());
        PackageRecord record = pb.registry().find(NAME).orElseThrow();
        assertEquals(List.of(untagged.name()), record.commits().stream().map(TagEntry::tag).toList(),
                "fetching the tags keeps the pinned commit");
        assertArrayEquals(bytes, Files.readAllBytes(tarball));
        assertEquals(1, pb.registry().info("lib").orElseThrow().commits().size());
    }

    @Test
    void theCommitsTarballIsDeterministicAndHashesLikeATagOnTheSameCommit() throws Exception {
        Packbase first = packbase(root);
        pin(first, upstream, untagged.name());
        Packbase second = packbase(otherRoot);
        pin(second, upstream, untagged.name());
        String key = "p/lib/commit/" + untagged.name() + ".tar.gz";
        assertArrayEquals(Files.readAllBytes(root.resolve(key)), Files.readAllBytes(otherRoot.resolve(key)));

        // Once upstream tags it, the tag's package is the same Zig package (the top directory is not hashed).
        upstream.tag("v0.2.0", untagged);
        first.fetches().ingest(NAME, new TagSource(upstream));
        PackageRecord record = first.registry().find(NAME).orElseThrow();
        TagEntry tag = record.tag("v0.2.0").orElseThrow();
        TagEntry commit = record.commit(untagged.name()).orElseThrow();
        assertEquals(tag.zig().hash(), commit.zig().hash());
        assertEquals(tag.treeOid(), commit.treeOid());
    }

    @Test
    void aCommitUpstreamDoesNotHaveFailsTheCallAndChangesNothing() throws Exception {
        Packbase pb = packbase(root);
        String missing = "0123456789abcdef0123456789abcdef01234567";
        PackbaseException none = assertThrows(PackbaseException.class, () -> pin(pb, upstream, missing));
        assertEquals(ErrorCode.UPSTREAM_FAILED, none.code());
        assertTrue(none.getMessage().contains("not our ref " + missing), none.getMessage());
        assertTrue(pb.registry().find(NAME).isEmpty(), "no package is left behind");

        pb.fetches().ingest(NAME, new TagSource(upstream));
        PackageRecord before = pb.registry().find(NAME).orElseThrow();
        assertThrows(PackbaseException.class, () -> pin(pb, upstream, missing));
        assertEquals(before, pb.registry().find(NAME).orElseThrow(), "a package that exists keeps its record as it was");
        assertFalse(Files.exists(root.resolve("p/lib/commit")));
    }

    @Test
    void aRestartServesThePinnedCommitAndRebuildsItsGitDataWhenLost() throws Exception {
        Packbase pb = packbase(root);
        pin(pb, upstream, untagged.name());
        pb.close();
        started.remove(pb);
        dev.packbase.testing.Zig.deleteTree(root.resolve(".packbase/git"));

        Packbase restarted = packbase(root);
        restarted.derivedDataChecked().get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(Files.isRegularFile(root.resolve(".packbase/git/lib/upstream/" + untagged.name() + ".pack")),
                "the startup check rebuilt the commit's pack");
        assertEquals(List.of(untagged.name()),
                restarted.registry().find(NAME).orElseThrow().commits().stream().map(TagEntry::tag).toList());
    }
}
