package dev.packbase.http;

import dev.packbase.metrics.PrometheusMetrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * {@code GET /metrics}: every metric in the Prometheus text format, or OpenMetrics when {@code Accept} asks for
 * it (Prometheus itself does). Rendered whole before sending, so a scrape gets a Content-Length.
 */
final class MetricsHandler implements Routes.Handler {
    private final PrometheusMetrics metrics;

    MetricsHandler(PrometheusMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        Methods.require(req, resp, Methods.READ);
        ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
        String type = metrics.write(req.getHeader("Accept"), body);
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType(type);
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.size());
        if (!req.getMethod().equals("HEAD")) {
            body.writeTo(resp.getOutputStream());
        }
    }
}
