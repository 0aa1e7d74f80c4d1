package dev.packbase.metrics;

/** The exposition reader of {@link PrometheusMetricsTest}, for the HTTP tests of other packages. */
public final class PrometheusMetricsTestAccess {
    private PrometheusMetricsTestAccess() {
    }

    /** The value of the one sample line that starts with {@code series} (name and labels). */
    public static double value(String exposition, String series) {
        return PrometheusMetricsTest.value(exposition, series);
    }
}
