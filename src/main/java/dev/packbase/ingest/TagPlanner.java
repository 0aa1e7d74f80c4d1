package dev.packbase.ingest;

import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.TagEntry;
import dev.packbase.domain.TagName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The plan of a {@link TagSource}: a tag is wanted when its name is servable, it has no tarball, and
 * it was not skipped before at the same object. A stored tarball is never redone: a tag that moved
 * upstream is only a warning. A tag that failed to arrive last time has no tarball and no skip
 * entry, so it is simply wanted again.
 */
public final class TagPlanner {
    private TagPlanner() {
    }

    public static Plan plan(List<UpstreamTag> offered, Optional<PackageRecord> existing) {
        List<String> warnings = new ArrayList<>();
        List<UpstreamTag> wanted = new ArrayList<>();
        List<PackageRecord.SkippedTag> skipped = new ArrayList<>();
        int present = 0;
        for (UpstreamTag tag : offered.stream().sorted(Comparator.comparing(UpstreamTag::name)).toList()) {
            if (!TagName.isServable(tag.name())) {
                warnings.add("tag '" + tag.name() + "' skipped: its name cannot be used in a tarball URL");
                continue;
            }
            Optional<TagEntry> known = existing.flatMap(r -> r.tag(tag.name()));
            if (known.isPresent()) {
                present++;
                if (!known.get().upstreamObject().equals(tag.object().name())) {
                    warnings.add("upstream tag '" + tag.name() + "' moved from " + known.get().upstreamObject() + " to "
                            + tag.object().name() + "; the stored tarball keeps " + known.get().upstreamCommit());
                }
                continue;
            }
            Optional<PackageRecord.SkippedTag> skippedBefore = existing.flatMap(r -> r.skipped(tag.name()));
            if (skippedBefore.isPresent() && skippedBefore.get().object().equals(tag.object().name())) {
                skipped.add(skippedBefore.get());
                continue;
            }
            wanted.add(tag);
        }
        return new Plan(wanted, present, skipped, warnings);
    }
}
