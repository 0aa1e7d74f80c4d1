package dev.packbase.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.PackbaseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class SemverAndNamesTest {

    @Test
    void semverPrecedenceFollowsTheSpec() {
        List<String> ordered = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "v1.0.1", "1.2.0", "1.10.0", "2.0.0+build.5");
        List<String> shuffled = new ArrayList<>(ordered);
        Collections.shuffle(shuffled, new java.util.Random(7));
        shuffled.sort((a, b) -> Semver.parse(a).orElseThrow().compareTo(Semver.parse(b).orElseThrow()));
        assertEquals(ordered, shuffled);
        assertTrue(Semver.parse("v01.0.0").isEmpty(), "leading zeros are not semver");
        assertTrue(Semver.parse("release-1").isEmpty());
        assertEquals(0, Semver.parse("1.0.0+a").orElseThrow().compareTo(Semver.parse("1.0.0+b").orElseThrow()));
    }

    private static TagEntry tag(String name, long time) {
        return new TagEntry(name, "o", "c", "t", "r", time, 1, "s", "m", "c", "ts", 1, null);
    }

    @Test
    void latestPrefersStableReleasesThenPreReleasesThenNewestNonSemverTag() {
        PackageRecord r = new PackageRecord(1, "x", "u", 0, 0,
                List.of(tag("v1.2.0", 10), tag("v1.10.0", 5), tag("v2.0.0-rc.1", 20), tag("nightly", 30)), List.of(), List.of());
        assertEquals("v1.10.0", r.latest().orElseThrow().tag());
        PackageRecord pre = new PackageRecord(1, "x", "u", 0, 0,
                List.of(tag("v2.0.0-rc.1", 20), tag("v2.0.0-rc.2", 10), tag("nightly", 30)), List.of(), List.of());
        assertEquals("v2.0.0-rc.2", pre.latest().orElseThrow().tag());
        PackageRecord none = new PackageRecord(1, "x", "u", 0, 0,
                List.of(tag("alpha", 20), tag("beta", 10)), List.of(), List.of());
        assertEquals("alpha", none.latest().orElseThrow().tag(), "non-semver tags by commit time");
        PackageRecord mixed = new PackageRecord(1, "x", "u", 0, 0, List.of(tag("nightly", 30), tag("v1.2.0", 10),
                tag("v2.0.0-rc.1", 20), tag("v1.10.0", 5), tag("alpha", 30), tag("v1.2.0+build", 10)), List.of(), List.of());
        assertEquals(List.of("v1.10.0", "v1.2.0+build", "v1.2.0", "v2.0.0-rc.1", "nightly", "alpha"),
                mixed.newestFirst().stream().map(TagEntry::tag).toList());
        assertEquals(mixed.newestFirst(), mixed.tags().stream().sorted(PackageRecord.LATEST_ORDER.reversed()).toList());
    }

    @Test
    void packageNamesAreSafeAndReservedNamesAreKnown() {
        for (String ok : List.of("serde.zig", "zig-clap", "a_b", "X1", "-dash")) {
            assertEquals(ok, new PackageName(ok).value());
        }
        for (String bad : List.of(".hidden", "a/b", "..", "a..b", "", "x.git", "spa ce", "ü", "a".repeat(101))) {
            assertThrows(PackbaseException.class, () -> new PackageName(bad), bad);
        }
        assertTrue(new PackageName("api").reserved());
        assertTrue(new PackageName("WEB-INF").reserved());
        assertFalse(new PackageName("apis").reserved());
    }

    @Test
    void onlyTagNamesThatMakeSafeFileNamesAreServable() {
        for (String ok : List.of("v1.0.0", "1.0", "v2.0.0-rc.1+build.7", "release_3")) {
            assertTrue(TagName.isServable(ok), ok);
        }
        for (String bad : List.of("release/2", "..", "-x", "a..b", "x.lock", "a b", "tag.", "ü", "")) {
            assertFalse(TagName.isServable(bad), bad);
        }
    }
}
