package dev.packbase.ingest;

import dev.packbase.domain.PackageRecord;
import java.util.List;

/**
 * What an ingest has to do, decided before any download.
 *
 * @param wanted   refs to fetch and materialise, in name order
 * @param present  how many offered refs already have a tarball
 * @param skipped  refs skipped before and still pointing where they did (not fetched again)
 * @param warnings what the plan noticed: unservable names, tags that moved upstream
 */
public record Plan(List<UpstreamTag> wanted, int present, List<PackageRecord.SkippedTag> skipped, List<String> warnings) {
    public Plan {
        wanted = List.copyOf(wanted);
        skipped = List.copyOf(skipped);
        warnings = List.copyOf(warnings);
    }
}
