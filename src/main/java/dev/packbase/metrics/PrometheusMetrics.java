package dev.packbase.metrics;

import dev.packbase.state.PackageState;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Supplier;

/**
 * {@link Metrics} on a Prometheus registry (the maintained Java client 1.x), and its exposition for
 * {@code GET /metrics}: the one class besides the composition root that knows Prometheus types. The registry is
 * the caller's own, never the client's default one, so two instances in one JVM stay apart.
 *
 * <p>Every series of the request path (route kind × status class) exists from the start and is looked up by
 * array index, not by label values: a cached download adds a few atomic increments, no allocation.
 */
public final class PrometheusMetrics implements Metrics {
    private static final double[] REQUEST_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
            5, 10, 30, 60};
    private static final double[] WORK_SECONDS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
    private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    private static final double NANOS_PER_SECOND = 1e9;

    private final PrometheusRegistry registry;
    private final ExpositionFormats formats = ExpositionFormats.init();

    private final CounterDataPoint[][] requests;
    private final DistributionDataPoint[] requestSeconds;
    private final CounterDataPoint[] responseBytes;
    private final CounterDataPoint rejected;
    private final CounterDataPoint cacheHits;
    private final CounterDataPoint cacheMisses;
    private final Counter ingests;
    private final Histogram ingestSeconds;
    private final Counter closureNodes;
    private final Histogram closureNodeSeconds;
    private final Counter updateRuns;
    private final Histogram updateRunSeconds;
    private final Counter upstreamRequests;

    /**
     * Registers packbase's metrics, the JVM's and the health gauges (read from {@code health} at each scrape) on
     * {@code registry}.
     */
    public PrometheusMetrics(PrometheusRegistry registry, Supplier<PackageState.HealthCounts> health) {
        this.registry = registry;
        Counter requestCounter = Counter.builder().name("packbase_http_requests_total")
                .help("HTTP requests answered, by route kind and status class").labelNames("route", "status")
                .register(registry);
        Histogram requestHistogram = Histogram.builder().name("packbase_http_request_duration_seconds")
                .help("time from a request's arrival to the end of its answer, by route kind").unit(Unit.SECONDS)
                .labelNames("route").classicOnly().classicUpperBounds(REQUEST_SECONDS).register(registry);
        Counter bytesCounter = Counter.builder().name("packbase_http_response_bytes_total")
                .help("response body bytes sent, by route kind").unit(Unit.BYTES).labelNames("route").register(registry);
        Route[] routes = Route.values();
        requests = new CounterDataPoint[routes.length][STATUS_CLASSES.length];
        requestSeconds = new DistributionDataPoint[routes.length];
        responseBytes = new CounterDataPoint[routes.length];
        for (Route r : routes) {
            for (int c = 0; c < STATUS_CLASSES.length; c++) {
                requests[r.ordinal()][c] = requestCounter.labelValues(r.label(), STATUS_CLASSES[c]);
            }
            requestSeconds[r.ordinal()] = requestHistogram.labelValues(r.label());
            responseBytes[r.ordinal()] = bytesCounter.labelValues(r.label());
        }
        rejected = Counter.builder().name("packbase_http_rejected_requests_total")
                .help("requests answered 503 busy at once by PACKBASE_MAX_CONCURRENT_REQUESTS").register(registry);
        Counter cache = Counter.builder().name("packbase_tarball_cache_lookups_total")
                .help("tarball downloads answered from the heap cache (hit) or from storage (miss)").labelNames("result")
                .register(registry);
        cacheHits = cache.labelValues("hit");
        cacheMisses = cache.labelValues("miss");

        ingests = outcomes(Counter.builder().name("packbase_ingests_total")
                .help("ingests of a Git package (API fetches, update runs, closures), by outcome"), Ingest.values());
        ingestSeconds = durations(Histogram.builder().name("packbase_ingest_duration_seconds")
                .help("time one ingest took, by outcome"), Ingest.values());
        closureNodes = outcomes(Counter.builder().name("packbase_closure_nodes_total")
                .help("dependency closure nodes visited, by outcome"), ClosureNode.values());
        closureNodeSeconds = durations(Histogram.builder().name("packbase_closure_node_duration_seconds")
                .help("time one closure node took (its fetch or archive mirror included), by outcome"),
                ClosureNode.values());
        updateRuns = outcomes(Counter.builder().name("packbase_update_runs_total")
                .help("update runs asked for, by outcome"), UpdateRun.values());
        updateRunSeconds = durations(Histogram.builder().name("packbase_update_run_duration_seconds")
                .help("time one update run took, by outcome"), UpdateRun.values());
        upstreamRequests = outcomes(Counter.builder().name("packbase_upstream_requests_total")
                .help("requests to upstreams (Git listings and fetches, archive downloads), by outcome"),
                Upstream.values());

        GaugeWithCallback.builder().name("packbase_packages").help("packages held here, by health").labelNames("health")
                .callback(cb -> {
                    PackageState.HealthCounts h = health.get();
                    cb.call(h.healthyPackages(), "healthy");
                    cb.call(h.unhealthyPackages(), "unhealthy");
                }).register(registry);
        GaugeWithCallback.builder().name("packbase_tarballs")
                .help("tarballs (tags and pinned commits) held here, by the health of their package").labelNames("health")
                .callback(cb -> {
                    PackageState.HealthCounts h = health.get();
                    cb.call(h.healthyTarballs(), "healthy");
                    cb.call(h.unhealthyTarballs(), "unhealthy");
                }).register(registry);
        JvmMetrics.builder().register(registry);
    }

    private Counter outcomes(Counter.Builder builder, Enum<?>[] outcomes) {
        Counter counter = builder.labelNames("outcome").register(registry);
        for (Enum<?> o : outcomes) {
            counter.labelValues(Metrics.label(o)); // every outcome is a series from the start, at 0
        }
        return counter;
    }

    private Histogram durations(Histogram.Builder builder, Enum<?>[] outcomes) {
        Histogram histogram = builder.unit(Unit.SECONDS).labelNames("outcome").classicOnly()
                .classicUpperBounds(WORK_SECONDS).register(registry);
        for (Enum<?> o : outcomes) {
            histogram.labelValues(Metrics.label(o));
        }
        return histogram;
    }

    /**
     * Writes every metric to {@code out} in the format {@code accept} asks for: OpenMetrics when it names
     * {@code application/openmetrics-text}, else the Prometheus text format 0.0.4. Returns the media type written.
     */
    public String write(String accept, OutputStream out) throws IOException {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (!writer.isAvailable()) {
            writer = formats.getPrometheusTextFormatWriter(); // protobuf needs a library the WAR leaves out
        }
        writer.write(out, registry.scrape());
        return writer.getContentType();
    }

    @Override
    public void request(Route route, int status, long nanos, long bytes) {
        int statusClass = Math.min(Math.max(status / 100, 1), 5) - 1;
        requests[route.ordinal()][statusClass].inc();
        requestSeconds[route.ordinal()].observe(nanos / NANOS_PER_SECOND);
        if (bytes > 0) {
            responseBytes[route.ordinal()].inc(bytes);
        }
    }

    @Override
    public void requestRejected() {
        rejected.inc();
    }

    @Override
    public void tarballCache(boolean hit) {
        (hit ? cacheHits : cacheMisses).inc();
    }

    @Override
    public void ingest(Ingest outcome, long nanos) {
        ingests.labelValues(Metrics.label(outcome)).inc();
        ingestSeconds.labelValues(Metrics.label(outcome)).observe(nanos / NANOS_PER_SECOND);
    }

    @Override
    public void closureNode(ClosureNode outcome, long nanos) {
        closureNodes.labelValues(Metrics.label(outcome)).inc();
        closureNodeSeconds.labelValues(Metrics.label(outcome)).observe(nanos / NANOS_PER_SECOND);
    }

    @Override
    public void updateRun(UpdateRun outcome, long nanos) {
        updateRuns.labelValues(Metrics.label(outcome)).inc();
        updateRunSeconds.labelValues(Metrics.label(outcome)).observe(nanos / NANOS_PER_SECOND);
    }

    @Override
    public void upstream(Upstream outcome) {
        upstreamRequests.labelValues(Metrics.label(outcome)).inc();
    }
}
