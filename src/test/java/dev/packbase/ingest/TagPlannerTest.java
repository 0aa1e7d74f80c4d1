package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.TagEntry;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;

/** The tag plan is a pure function of the upstream listing and the record: no repository, no storage. */
class TagPlannerTest {
    private static final ObjectId A = id(1);
    private static final ObjectId B = id(2);

    private static ObjectId id(int n) {
        return ObjectId.fromString(String.format("%040x", n));
    }

    private static UpstreamTag tag(String name, ObjectId object) {
        return new UpstreamTag(name, object, null);
    }

    private static TagEntry entry(String tag, ObjectId object) {
        return new TagEntry(tag, object.name(), object.name(), id(99).name(), id(98).name(), 1, 10, "s", "m", "c", "t",
                1, null);
    }

    private static PackageRecord record(List<TagEntry> tags, List<PackageRecord.SkippedTag> skipped) {
        return new PackageRecord(PackageRecord.FORMAT, "lib", "https://upstream.invalid/lib.git", 1, 1, tags, List.of(),
                skipped);
    }

    @Test
    void aNewPackageWantsEveryServableTagInNameOrder() {
        Plan plan = TagPlanner.plan(List.of(tag("v2", A), tag("v1", A), tag("release/2", A)), Optional.empty());
        assertEquals(List.of("v1", "v2"), plan.wanted().stream().map(UpstreamTag::name).toList());
        assertEquals(0, plan.present());
        assertEquals(1, plan.warnings().size());
        assertTrue(plan.warnings().get(0).contains("'release/2'"), plan.warnings().toString());
    }

    @Test
    void knownTagsArePresentAndAMovedOneIsOnlyAWarning() {
        PackageRecord known = record(List.of(entry("v1", A), entry("v2", A)), List.of());
        Plan plan = TagPlanner.plan(List.of(tag("v1", A), tag("v2", B), tag("v3", B)), Optional.of(known));
        assertEquals(List.of("v3"), plan.wanted().stream().map(UpstreamTag::name).toList());
        assertEquals(2, plan.present());
        assertEquals(1, plan.warnings().size());
        assertTrue(plan.warnings().get(0).contains("'v2' moved from " + A.name() + " to " + B.name()),
                plan.warnings().toString());
    }

    @Test
    void aSkippedTagStaysSkippedUntilItMoves() {
        PackageRecord.SkippedTag skipped = new PackageRecord.SkippedTag("tree-tag", A.name(), "it points at a tree");
        PackageRecord known = record(List.of(entry("v1", A)), List.of(skipped));

        Plan same = TagPlanner.plan(List.of(tag("v1", A), tag("tree-tag", A)), Optional.of(known));
        assertTrue(same.wanted().isEmpty());
        assertEquals(List.of(skipped), same.skipped(), "the skip is carried into the next record");

        Plan moved = TagPlanner.plan(List.of(tag("v1", A), tag("tree-tag", B)), Optional.of(known));
        assertEquals(List.of("tree-tag"), moved.wanted().stream().map(UpstreamTag::name).toList());
        assertTrue(moved.skipped().isEmpty());
    }

    @Test
    void aTagThatFailedLastTimeHasNoEntryAndIsWantedAgain() {
        PackageRecord known = new PackageRecord(PackageRecord.FORMAT, "lib", "https://upstream.invalid/lib.git", 1, 1,
                List.of(entry("v1", A)), List.of(RecordMerge.failureWarning(new FailedTag("v2", "pack failed"))),
                List.of());
        Plan plan = TagPlanner.plan(List.of(tag("v1", A), tag("v2", B)), Optional.of(known));
        assertEquals(List.of("v2"), plan.wanted().stream().map(UpstreamTag::name).toList());
        assertEquals(1, plan.present());
    }

    @Test
    void tagsDeletedUpstreamAreNeitherWantedNorCounted() {
        PackageRecord known = record(List.of(entry("v1", A), entry("v0", A)), List.of());
        Plan plan = TagPlanner.plan(List.of(tag("v1", A)), Optional.of(known));
        assertTrue(plan.wanted().isEmpty());
        assertEquals(1, plan.present(), "present counts what upstream still offers");
    }
}
