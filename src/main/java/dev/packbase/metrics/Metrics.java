package dev.packbase.metrics;

import java.util.Locale;

/**
 * What packbase counts, as the services and the HTTP edge see it: typed events with bounded labels (enums and
 * status classes, never a package name or a path). The composition root hands every component the same
 * instance, {@link PrometheusMetrics} or {@link #OFF} when {@code PACKBASE_METRICS} turns metrics off, so no
 * component knows Prometheus. Durations are in nanoseconds ({@link System#nanoTime} differences).
 */
public interface Metrics {

    /** The kind of path a request was for: the route table's lines grouped by what they serve. */
    enum Route {
        API, TARBALL, HASH, GIT_SMART, GIT_DUMB, PAGE, OTHER;

        /** The label value: {@code git-smart}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** How one ingest ({@code POST /api/fetch}, an update's package or a closure's node) ended. */
    enum Ingest {
        /** Every tag upstream offered is here. */
        OK,
        /** Some tags landed, others failed ({@code failed_tags}). */
        PARTIAL,
        NO_TAGS,
        UPSTREAM_FAILED,
        /** Refused before any upstream traffic: a bad URL, a name bound elsewhere, a denied host. */
        REJECTED,
        /** No ingest slot was free. */
        BUSY,
        ERROR
    }

    /** How one node of a dependency closure ended (the closure's own statuses). */
    enum ClosureNode {
        OK, HASH_MISMATCH, UPSTREAM_FAILED, UNSUPPORTED, LIMIT_EXCEEDED, SKIPPED_PATH
    }

    /** How one {@code POST /api/update} (or the update on start) ended. */
    enum UpdateRun {
        OK, FAILED, BUSY, COOLDOWN, READ_ONLY
    }

    /** How one request to an upstream (a Git listing or fetch, an archive download) ended. */
    enum Upstream {
        OK, FAILED
    }

    /** The lower-case label value of any of these enums. */
    static String label(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** One answered request: its route kind, status, time from arrival to the end of the handler, body bytes. */
    void request(Route route, int status, long nanos, long bytes);

    /** A request refused by {@code PACKBASE_MAX_CONCURRENT_REQUESTS} (it is counted by {@link #request} too). */
    void requestRejected();

    /** A tarball download answered from the heap cache ({@code hit}) or from storage. */
    void tarballCache(boolean hit);

    void ingest(Ingest outcome, long nanos);

    void closureNode(ClosureNode outcome, long nanos);

    void updateRun(UpdateRun outcome, long nanos);

    void upstream(Upstream outcome);

    /** Counts nothing: metrics are off. */
    Metrics OFF = new Metrics() {
        @Override
        public void request(Route route, int status, long nanos, long bytes) {
        }

        @Override
        public void requestRejected() {
        }

        @Override
        public void tarballCache(boolean hit) {
        }

        @Override
        public void ingest(Ingest outcome, long nanos) {
        }

        @Override
        public void closureNode(ClosureNode outcome, long nanos) {
        }

        @Override
        public void updateRun(UpdateRun outcome, long nanos) {
        }

        @Override
        public void upstream(Upstream outcome) {
        }
    };
}
