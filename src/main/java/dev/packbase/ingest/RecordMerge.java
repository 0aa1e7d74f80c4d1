package dev.packbase.ingest;

import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.TagEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Folds one ingest's plan and outcomes into the package's next record. Pure. Record warnings are
 * kept across ingests (newest last, at most {@link #MAX_WARNINGS}); a tag's "could not be fetched"
 * warning is replaced by each new attempt at that tag and dropped when the tag lands, so the record
 * says what is wrong now.
 */
public final class RecordMerge {
    static final int MAX_WARNINGS = 50;

    private RecordMerge() {
    }

    /**
     * @param record   the next record (its tags may be empty: nothing landed, nothing to save)
     * @param created  tags this ingest wrote a tarball for, in tag order
     * @param present  tags that already had a tarball (planned as present, or adopted after a crash)
     * @param failed   tags upstream could not deliver (retried by the next fetch)
     * @param warnings what this ingest has to say (plan warnings, skips, failures)
     */
    public record Merged(PackageRecord record, List<String> created, int present, List<FailedTag> failed,
            List<String> warnings) {
    }

    public static Merged merge(PackageName name, String url, Optional<PackageRecord> existing, Plan plan,
            List<Materialiser.Outcome> outcomes, List<FailedTag> fetchFailures, long now) {
        Map<String, TagEntry> entries = new LinkedHashMap<>();
        Map<String, TagEntry> commits = new LinkedHashMap<>();
        existing.ifPresent(r -> r.tags().forEach(t -> entries.put(t.tag(), t)));
        existing.ifPresent(r -> r.commits().forEach(t -> commits.put(t.tag(), t)));
        List<String> warnings = new ArrayList<>(plan.warnings());
        List<PackageRecord.SkippedTag> skipped = new ArrayList<>(plan.skipped());
        List<String> created = new ArrayList<>();
        List<FailedTag> failed = new ArrayList<>();
        int present = plan.present();
        for (Materialiser.Outcome outcome : outcomes) {
            UpstreamTag tag = outcome.tag();
            if (outcome instanceof Materialiser.Landed landed) {
                (tag.kind() == RefKind.TAG ? entries : commits).put(tag.name(), landed.entry());
                if (landed.created()) {
                    created.add(tag.name());
                } else {
                    present++;
                }
            } else if (outcome instanceof Materialiser.Skipped s) {
                warnings.add(tag.describe() + " skipped: " + s.reason());
                if (tag.kind() == RefKind.TAG) {
                    // Remembered so that updates do not fetch it again until it moves; a commit never
                    // comes back by itself, only when asked for again.
                    skipped.add(new PackageRecord.SkippedTag(tag.name(), tag.object().name(), s.reason()));
                }
            } else if (outcome instanceof Materialiser.Failed f) {
                failed.add(new FailedTag(tag.name(), f.reason()));
            }
        }
        failed.addAll(fetchFailures);
        failed.sort(java.util.Comparator.comparing(FailedTag::tag));
        failed.forEach(f -> warnings.add(failureWarning(f)));

        List<String> recordWarnings = new ArrayList<>(existing.map(PackageRecord::warnings).orElse(List.of()));
        // Every wanted tag was tried again just now: its old failure says nothing any more.
        plan.wanted().forEach(t -> recordWarnings.removeIf(w -> w.startsWith(failurePrefix(t.name()))));
        warnings.stream().filter(w -> !recordWarnings.contains(w)).forEach(recordWarnings::add);
        while (recordWarnings.size() > MAX_WARNINGS) {
            recordWarnings.remove(0);
        }
        PackageRecord record = new PackageRecord(PackageRecord.FORMAT, name.value(),
                existing.map(PackageRecord::upstreamUrl).orElse(url), existing.map(PackageRecord::createdAt).orElse(now),
                now, List.copyOf(entries.values()), recordWarnings, skipped, List.copyOf(commits.values()));
        return new Merged(record, List.copyOf(created), present, List.copyOf(failed), List.copyOf(warnings));
    }

    static String failureWarning(FailedTag failed) {
        return failurePrefix(failed.tag()) + failed.reason() + " (the next fetch tries it again)";
    }

    private static String failurePrefix(String tag) {
        return "tag '" + tag + "' could not be fetched: ";
    }
}
