package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.TagEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.Test;

/** Which tags a URL fragment names, and that planning one ref leaves the package's other tags alone. */
class RefSourceTest {
    private static final ObjectId COMMIT = id(1);
    private static final ObjectId TAG_OBJECT = id(2);
    private static final ObjectId OTHER = id(3);
    private static final List<UpstreamTag> TAGS = List.of(
            new UpstreamTag("v1", TAG_OBJECT, COMMIT), // annotated, peeled to COMMIT
            new UpstreamTag("v1-light", COMMIT, null),
            new UpstreamTag("v2", OTHER, null),
            new UpstreamTag("20240101", OTHER, null));

    private static ObjectId id(int n) {
        return ObjectId.fromString(String.format("%040x", n));
    }

    private static RefSource source(String ref) {
        return new RefSource(new Upstream() {
            @Override
            public String url() {
                return "https://upstream.invalid/lib.git";
            }

            @Override
            public List<UpstreamTag> listTags() {
                return TAGS;
            }

            @Override
            public Repository fetch(List<UpstreamTag> tags, Path scratch) {
                throw new AssertionError("listing and planning do no fetch");
            }
        }, ref);
    }

    private static List<String> names(List<UpstreamTag> tags) {
        return tags.stream().map(UpstreamTag::name).toList();
    }

    @Test
    void aTagNameOrACommitNamesItsTags() {
        assertEquals(List.of("v2"), names(source("v2").list()));
        assertEquals(List.of("v2"), names(source("refs/tags/v2").list()));
        assertEquals(List.of("v1", "v1-light"), names(source(COMMIT.name()).list()), "peeled annotated tags count");
        assertEquals(List.of("20240101"), names(source("20240101").list()), "a hex-looking tag name is a tag first");
    }

    @Test
    void aShortIdIsABadRequestAndAnUnknownRefNotFound() {
        PackbaseException shortId = assertThrows(PackbaseException.class, () -> source("0000001").list());
        assertEquals(ErrorCode.BAD_REQUEST, shortId.code());
        assertTrue(shortId.getMessage().contains("full 40-character commit id"), shortId.getMessage());
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(PackbaseException.class, () -> source("main").list()).code());
    }

    @Test
    void aCommitNoTagNamesIsOfferedItselfAndPlannedUntilItHasATarball() {
        RefSource pinned = source(id(9).name());
        List<UpstreamTag> offered = pinned.list();
        assertEquals(List.of(UpstreamTag.commit(id(9))), offered);
        assertEquals(RefKind.COMMIT, offered.get(0).kind());
        assertEquals(id(9).name() + ":refs/commits/" + id(9).name(), offered.get(0).source() + ":" + offered.get(0).refName(),
                "upstream is asked for the id itself");
        assertEquals(offered, pinned.plan(offered, Optional.empty()).wanted());

        TagEntry entry = new TagEntry(id(9).name(), id(9).name(), id(9).name(), id(4).name(), id(5).name(), 1, 1, "s",
                "m", "c", "t", 1, null);
        PackageRecord holding = new PackageRecord(PackageRecord.FORMAT, "lib", "https://upstream.invalid/lib.git", 1, 1,
                List.of(), List.of(), List.of(), List.of(entry));
        Plan again = pinned.plan(offered, Optional.of(holding));
        assertEquals(List.of(), again.wanted(), "a commit never moves: nothing to fetch once it is held");
        assertEquals(1, again.present());
    }

    @Test
    void planningOneRefKeepsTheSkipEntriesOfOtherTags() {
        PackageRecord.SkippedTag other = new PackageRecord.SkippedTag("huge", id(7).name(), "too many files");
        PackageRecord record = new PackageRecord(PackageRecord.FORMAT, "lib", "https://upstream.invalid/lib.git", 1, 1,
                List.of(), List.of(), List.of(other));
        RefSource v2 = source("v2");
        Plan plan = v2.plan(v2.list(), Optional.of(record));
        assertEquals(List.of("v2"), names(plan.wanted()));
        assertEquals(List.of(other), plan.skipped());
    }
}
