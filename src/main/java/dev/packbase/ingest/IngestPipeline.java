package dev.packbase.ingest;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.TagEntry;
import dev.packbase.state.PackageState;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * One ingest of one package from one {@link Source}, stage by stage:
 * <pre>
 *   list ─▶ Plan ─▶ Fetcher ─▶ Materialiser ─▶ RecordMerge ─▶ Publisher.record
 *                                                  ─▶ Deriver ─▶ Verifier ─▶ Publisher.publish
 * </pre>
 * Existing tarballs are never rewritten. The caller holds the package's lock ({@link FetchService});
 * admission, naming and upstream checks happen there, before this runs.
 */
public final class IngestPipeline {
    private static final Logger LOG = Logger.getLogger(IngestPipeline.class.getName());

    private final PackageState state;
    private final Fetcher fetcher;
    private final Materialiser materialiser;
    private final Publisher publisher;
    private final Refresher refresher;
    private final Clock clock;

    public IngestPipeline(PackageState state, Fetcher fetcher, Materialiser materialiser, Publisher publisher,
            Refresher refresher, Clock clock) {
        this.state = state;
        this.fetcher = fetcher;
        this.materialiser = materialiser;
        this.publisher = publisher;
        this.refresher = refresher;
        this.clock = clock;
    }

    public FetchResult run(PackageName name, Source source) {
        try {
            return ingest(name, source);
        } catch (IOException e) {
            throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "storage failure while ingesting '" + name + "': "
                    + e.getMessage(), e);
        }
    }

    private FetchResult ingest(PackageName name, Source source) throws IOException {
        long now = clock.instant().getEpochSecond();
        Optional<PackageRecord> existing = state.find(name);
        List<UpstreamTag> offered = source.list();
        if (offered.isEmpty()) {
            throw new PackbaseException(ErrorCode.NO_TAGS, "upstream " + source.url() + " has no tags",
                    Map.of("package", name.value()), null);
        }
        Plan plan = source.plan(offered, existing);

        List<Materialiser.Outcome> outcomes = List.of();
        List<FailedTag> fetchFailures = List.of();
        long fetchNanos = 0;
        long tarballNanos = 0;
        if (!plan.wanted().isEmpty()) {
            try (Fetched fetched = fetcher.fetch(source, plan.wanted(), "ingest-" + name.value())) {
                fetchNanos = fetched.nanos();
                long started = System.nanoTime();
                outcomes = materialiser.materialise(name, source.url(), fetched, now);
                tarballNanos = System.nanoTime() - started;
                fetchFailures = fetched.failed();
            }
        }

        Optional<UpstreamTag> pinned = source.pinned() ? Optional.of(offered.get(0)) : Optional.empty();
        List<Materialiser.Outcome> landed = outcomes;
        List<FailedTag> failures = fetchFailures;
        // Merged onto the record as it is stored when it is written: another node may have ingested the
        // same package meanwhile, and what it added stays.
        RecordMerge.Merged merged = publisher.record(name, current -> {
            RecordMerge.Merged m = RecordMerge.merge(name, source.url(), current, plan, landed, failures, now);
            PackageRecord next = m.record();
            boolean empty = next.tags().isEmpty() && next.commits().isEmpty();
            if (empty || pinned.isPresent() && offered.stream().noneMatch(t -> has(next, t))) {
                // A pinned ref that did not land fails the call, and the record stays as it was.
                throw nothingLanded(name, source, m);
            }
            return m;
        });
        PackageRecord record = merged.record();
        publisher.publish(refresher.info(name, record, true, now));

        String latest = record.latest().map(TagEntry::tag).orElse(null);
        if (!merged.created().isEmpty()) {
            long fetchMs = fetchNanos / 1_000_000;
            long tarballMs = tarballNanos / 1_000_000;
            LOG.info(() -> "ingested " + name + " from " + source.url() + " (upstream fetch " + fetchMs + " ms, "
                    + merged.created().size() + " tarballs " + tarballMs + " ms): " + String.join(", ", merged.created()));
        }
        merged.warnings().forEach(w -> LOG.warning(() -> name + ": " + w));
        return new FetchResult(name.value(), record.upstreamUrl(), latest, merged.created().size(), merged.present(),
                record.tags().size(), merged.created(), merged.warnings(), merged.failed(),
                pinned.map(t -> new FetchResult.Pinned(t.kind(), t.name())).orElse(null));
    }

    private static boolean has(PackageRecord record, UpstreamTag ref) {
        return record.entry(ref.kind(), ref.name()).isPresent();
    }

    /**
     * Nothing is stored for a package without a tag or commit, nor for a pinned ref that did not land.
     * When upstream failed to deliver, that is the answer ({@code upstream_failed}, with every tag's
     * reason); otherwise every tag was skipped.
     */
    private static PackbaseException nothingLanded(PackageName name, Source source, RecordMerge.Merged merged) {
        if (!merged.failed().isEmpty()) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("package", name.value());
            details.put("failed_tags", merged.failed());
            FailedTag first = merged.failed().get(0);
            String others = merged.failed().size() == 1 ? ""
                    : " (and " + (merged.failed().size() - 1) + " more tag(s), see failed_tags)";
            String what = source.pinned() ? "" : "no tag of ";
            return new PackbaseException(ErrorCode.UPSTREAM_FAILED, what + source.url()
                    + " could not be fetched: " + first.tag() + ": " + first.reason() + others, details, null);
        }
        return new PackbaseException(ErrorCode.NO_TAGS, (source.pinned() ? "" : "no tag of ") + source.url()
                + " could not be materialised: " + String.join("; ", merged.warnings()), Map.of("package", name.value()),
                null);
    }
}
