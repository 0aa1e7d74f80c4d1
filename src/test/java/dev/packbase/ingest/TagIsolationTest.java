package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.ErrorCode;
import dev.packbase.Packbase;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageName;
import dev.packbase.testing.ScriptedUpstream;
import dev.packbase.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Per-tag isolation against a {@link ScriptedUpstream} that cannot pack some tags: a batched fetch
 * that fails is retried in halves, every tag that can arrive lands, and each one that cannot is
 * reported with upstream's (cleaned) reason and tried again by the next fetch.
 */
class TagIsolationTest {
    private static final PackageName NAME = new PackageName("iso");
    private static final List<String> TAGS = List.of("v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0", "v1.4.0", "v1.5.0",
            "v1.6.0", "v2.0.0");

    @TempDir
    Path root;

    private final List<Packbase> started = new ArrayList<>();
    private ScriptedUpstream upstream;

    @BeforeEach
    void upstream() {
        upstream = new ScriptedUpstream("https://upstream.invalid/iso.git");
        long time = 1_700_000_000L;
        for (String tag : TAGS) {
            ObjectId commit = upstream.commit(time, Map.of("build.zig.zon", ".{ .version = \"" + tag + "\" }\n",
                    "src/" + tag + ".zig", "// " + tag + "\n"));
            upstream.tag(tag, commit);
            time += 60;
        }
    }

    @AfterEach
    void close() {
        started.forEach(Packbase::close);
    }

    private Packbase packbase() {
        Packbase pb = Packbase.start(TestConfigs.config(root, Map.of("packbase.seed", "false")), Clock.systemUTC());
        started.add(pb);
        return pb;
    }

    private FetchResult ingest(Packbase pb) {
        return pb.fetches().ingest(NAME, new TagSource(upstream));
    }

    @Test
    void tagsThatCannotBePackedAreReportedAndTheRestLand() throws Exception {
        upstream.failFetchesOf("v1.1.0", "remote: fatal: unable to read 1234abcd\u0000 (bad object)")
                .failFetchesOf("v1.6.0", "pack-objects died");
        Packbase pb = packbase();
        FetchResult result = ingest(pb);

        assertEquals(List.of("v1.0.0", "v1.2.0", "v1.3.0", "v1.4.0", "v1.5.0", "v2.0.0"), result.created());
        assertEquals(6, result.tarballCount());
        assertEquals("v2.0.0", result.tag());
        assertEquals(List.of("v1.1.0", "v1.6.0"), result.failedTags().stream().map(FailedTag::tag).toList());
        FailedTag bad = result.failedTags().get(0);
        assertTrue(bad.reason().contains("unable to read 1234abcd (bad object)"), bad.reason());
        for (FailedTag f : result.failedTags()) {
            assertFalse(f.reason().chars().anyMatch(Character::isISOControl), "cleaned: " + f.reason());
        }
        assertEquals(TAGS, upstream.fetches().get(0), "the first try is one batch of every tag");
        assertTrue(upstream.fetches().size() <= 1 + 2 * 2 * 3, "halving costs O(k log n) requests: "
                + upstream.fetches());
        for (String tag : result.created()) {
            assertTrue(Files.isRegularFile(root.resolve("p/iso/tag/" + tag + ".tar.gz")), tag);
        }
        assertFalse(Files.exists(root.resolve("p/iso/tag/v1.1.0.tar.gz")));

        List<String> warnings = pb.registry().info("iso").orElseThrow().warnings();
        assertTrue(warnings.stream().anyMatch(w -> w.contains("'v1.1.0' could not be fetched")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("'v1.6.0' could not be fetched")), warnings.toString());
        assertTrue(pb.registry().find(NAME).orElseThrow().skipped().isEmpty(), "a failed tag is not remembered as skipped");
        assertTrue(pb.registry().info("iso").orElseThrow().pseudoGitFetchable(), "what landed is served over Git");
        try (Stream<Path> leftovers = Files.list(root.resolve(".packbase/tmp"))) {
            assertEquals(0, leftovers.count(), "every attempt's scratch directory is deleted");
        }
    }

    @Test
    void aLaterFetchRetriesOnlyTheFailedTags() throws Exception {
        upstream.failFetchesOf("v1.3.0", "connection reset while packing");
        Packbase pb = packbase();
        assertEquals(List.of("v1.3.0"), ingest(pb).failedTags().stream().map(FailedTag::tag).toList());
        int before = upstream.fetches().size();

        FetchResult stillBroken = ingest(pb);
        assertEquals(List.of(List.of("v1.3.0")), upstream.fetches().subList(before, upstream.fetches().size()),
                "only the failed tag is asked for again");
        assertEquals(List.of("v1.3.0"), stillBroken.failedTags().stream().map(FailedTag::tag).toList());
        assertEquals(7, stillBroken.tarballsPresent());
        long failureWarnings = pb.registry().find(NAME).orElseThrow().warnings().stream()
                .filter(w -> w.contains("'v1.3.0' could not be fetched")).count();
        assertEquals(1, failureWarnings, "a repeated failure replaces its warning");

        upstream.repair("v1.3.0");
        before = upstream.fetches().size();
        FetchResult repaired = ingest(pb);
        assertEquals(List.of(List.of("v1.3.0")), upstream.fetches().subList(before, upstream.fetches().size()));
        assertEquals(List.of("v1.3.0"), repaired.created());
        assertTrue(repaired.failedTags().isEmpty());
        assertEquals(8, repaired.tarballCount());
        assertTrue(pb.registry().info("iso").orElseThrow().warnings().stream()
                .noneMatch(w -> w.contains("could not be fetched")), "the warning goes once the tag has landed");
    }

    @Test
    void whenNoTagLandsTheIngestIsUpstreamFailedWithEveryTagsReason() throws Exception {
        TAGS.forEach(t -> upstream.failFetchesOf(t, "cannot pack " + t));
        Packbase pb = packbase();
        PackbaseException e = assertThrows(PackbaseException.class, () -> ingest(pb));
        assertEquals(ErrorCode.UPSTREAM_FAILED, e.code());
        assertTrue(e.getMessage().contains("cannot pack v1.0.0"), e.getMessage());
        @SuppressWarnings("unchecked")
        List<FailedTag> failed = (List<FailedTag>) e.details().get("failed_tags");
        assertEquals(TAGS, failed.stream().map(FailedTag::tag).toList());
        assertTrue(pb.registry().find(NAME).isEmpty(), "nothing is stored for a package without a tag");
        assertFalse(Files.exists(root.resolve("p/iso")));
    }

    @Test
    void newTagsThatAllFailStillAnswerWithWhatIsPresent() throws Exception {
        Packbase pb = packbase();
        ingest(pb);
        ObjectId next = upstream.commit(1_800_000_000L, Map.of("src/next.zig", "// next\n"));
        upstream.tag("v3.0.0", next).failFetchesOf("v3.0.0", "unpackable");
        FetchResult result = ingest(pb);
        assertEquals(0, result.tarballsCreated());
        assertEquals(8, result.tarballsPresent(), "tags already present count as landed: no 502");
        assertEquals(List.of("v3.0.0"), result.failedTags().stream().map(FailedTag::tag).toList());
    }
}
