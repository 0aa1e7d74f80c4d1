package dev.packbase.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.state.PackageState;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The metrics as Prometheus reads them: names, labels, values, both formats. */
class PrometheusMetricsTest {
    private final AtomicReference<PackageState.HealthCounts> health =
            new AtomicReference<>(new PackageState.HealthCounts(3, 1, 12, 2));
    private final PrometheusMetrics metrics = new PrometheusMetrics(new PrometheusRegistry(), health::get);

    private String scrape(String accept) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(accept, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The value of the one sample line that starts with {@code series} (name and labels). */
    static double value(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).split(" ")[0]);
            }
        }
        throw new AssertionError("no sample " + series + " in\n" + exposition);
    }

    @Test
    void requestsAreCountedByRouteKindAndStatusClassWithBytesAndLatency() throws Exception {
        metrics.request(Metrics.Route.TARBALL, 200, 2_000_000, 1000);
        metrics.request(Metrics.Route.TARBALL, 206, 1_000_000, 10);
        metrics.request(Metrics.Route.TARBALL, 304, 1_000_000, 0);
        metrics.request(Metrics.Route.GIT_SMART, 503, 7_000_000_000L, 50);
        String text = scrape("text/plain");
        assertEquals(2, value(text, "packbase_http_requests_total{route=\"tarball\",status=\"2xx\"}"));
        assertEquals(1, value(text, "packbase_http_requests_total{route=\"tarball\",status=\"3xx\"}"));
        assertEquals(1, value(text, "packbase_http_requests_total{route=\"git-smart\",status=\"5xx\"}"));
        assertEquals(0, value(text, "packbase_http_requests_total{route=\"page\",status=\"4xx\"}"), "every series exists");
        assertEquals(1010, value(text, "packbase_http_response_bytes_total{route=\"tarball\"}"));
        assertEquals(3, value(text, "packbase_http_request_duration_seconds_count{route=\"tarball\"}"));
        assertEquals(0.004, value(text, "packbase_http_request_duration_seconds_sum{route=\"tarball\"}"), 1e-9);
        assertEquals(2, value(text, "packbase_http_request_duration_seconds_bucket{route=\"tarball\",le=\"0.001\"}"));
        assertEquals(0, value(text, "packbase_http_request_duration_seconds_bucket{route=\"git-smart\",le=\"5.0\"}"));
        assertEquals(1, value(text, "packbase_http_request_duration_seconds_bucket{route=\"git-smart\",le=\"10.0\"}"));
    }

    @Test
    void workIsCountedByOutcome() throws Exception {
        metrics.ingest(Metrics.Ingest.OK, 1_500_000_000L);
        metrics.ingest(Metrics.Ingest.UPSTREAM_FAILED, 100_000_000L);
        metrics.ingest(Metrics.Ingest.UPSTREAM_FAILED, 100_000_000L);
        metrics.closureNode(Metrics.ClosureNode.HASH_MISMATCH, 1);
        metrics.updateRun(Metrics.UpdateRun.COOLDOWN, 1);
        metrics.upstream(Metrics.Upstream.FAILED);
        metrics.tarballCache(true);
        metrics.tarballCache(true);
        metrics.tarballCache(false);
        metrics.requestRejected();
        String text = scrape(null);
        assertEquals(1, value(text, "packbase_ingests_total{outcome=\"ok\"}"));
        assertEquals(2, value(text, "packbase_ingests_total{outcome=\"upstream_failed\"}"));
        assertEquals(0, value(text, "packbase_ingests_total{outcome=\"busy\"}"));
        assertEquals(1.5, value(text, "packbase_ingest_duration_seconds_sum{outcome=\"ok\"}"), 1e-9);
        assertEquals(1, value(text, "packbase_closure_nodes_total{outcome=\"hash_mismatch\"}"));
        assertEquals(1, value(text, "packbase_update_runs_total{outcome=\"cooldown\"}"));
        assertEquals(1, value(text, "packbase_upstream_requests_total{outcome=\"failed\"}"));
        assertEquals(0, value(text, "packbase_upstream_requests_total{outcome=\"ok\"}"));
        assertEquals(2, value(text, "packbase_tarball_cache_lookups_total{result=\"hit\"}"));
        assertEquals(1, value(text, "packbase_tarball_cache_lookups_total{result=\"miss\"}"));
        assertEquals(1, value(text, "packbase_http_rejected_requests_total"));
    }

    @Test
    void healthGaugesAreReadAtEachScrape() throws Exception {
        String text = scrape(null);
        assertEquals(3, value(text, "packbase_packages{health=\"healthy\"}"));
        assertEquals(1, value(text, "packbase_packages{health=\"unhealthy\"}"));
        assertEquals(12, value(text, "packbase_tarballs{health=\"healthy\"}"));
        assertEquals(2, value(text, "packbase_tarballs{health=\"unhealthy\"}"));
        health.set(new PackageState.HealthCounts(4, 0, 14, 0));
        assertEquals(0, value(scrape(null), "packbase_packages{health=\"unhealthy\"}"));
    }

    @Test
    void jvmMetricsAndTheOpenMetricsFormatWhenAsked() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String type = metrics.write("application/openmetrics-text;version=1.0.0,text/plain;q=0.5", out);
        String open = out.toString(StandardCharsets.UTF_8);
        assertTrue(type.startsWith("application/openmetrics-text"), type);
        assertTrue(open.endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
        assertTrue(open.contains("# TYPE packbase_http_requests counter"), "OpenMetrics names the counter family");

        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        String plainType = metrics.write("text/plain", plain);
        String text = plain.toString(StandardCharsets.UTF_8);
        assertTrue(plainType.startsWith("text/plain; version=0.0.4"), plainType);
        assertFalse(text.contains("# EOF"));
        assertTrue(value(text, "jvm_threads_current") > 0, "JVM metrics are registered");
        assertTrue(text.contains("# TYPE packbase_http_requests_total counter"));
    }

    @Test
    void twoInstancesCountApart() throws Exception {
        PrometheusMetrics other = new PrometheusMetrics(new PrometheusRegistry(), health::get);
        other.requestRejected();
        assertEquals(0, value(scrape(null), "packbase_http_rejected_requests_total"));
    }

    @Test
    void offCountsNothingAndNeverFails() {
        Metrics.OFF.request(Metrics.Route.API, 200, 1, 1);
        Metrics.OFF.ingest(Metrics.Ingest.ERROR, 1);
        assertEquals("git-dumb", Metrics.Route.GIT_DUMB.label());
    }
}
