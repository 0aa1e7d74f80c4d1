package dev.packbase.http;

import dev.packbase.health.Readiness;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /healthz} (the process serves: always 200 {@code {"status":"ok"}}) and {@code GET /readyz} (200
 * {@code {"status":"ready",…}} or 503 {@code {"status":"not_ready","not_ready":[…],…}} with each check of
 * {@link Readiness}). Neither is held back by the request limit, so probes answer while the registry is saturated.
 */
final class HealthHandler {
    private final Readiness readiness;
    private final JsonBodies bodies;

    HealthHandler(Readiness readiness, JsonBodies bodies) {
        this.readiness = readiness;
        this.bodies = bodies;
    }

    void live(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        Methods.require(req, resp, Methods.READ);
        resp.setHeader("Cache-Control", "no-store");
        bodies.write(resp, HttpServletResponse.SC_OK, Map.of("status", "ok"));
    }

    void ready(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        Methods.require(req, resp, Methods.READ);
        Readiness.Report report = readiness.check();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", report.ready() ? "ready" : "not_ready");
        if (!report.ready()) {
            body.put("not_ready", report.failed().stream().map(Readiness.Check::label).toList());
        }
        Map<String, String> checks = new LinkedHashMap<>();
        report.checks().forEach((check, value) -> checks.put(check.label(), value));
        body.put("checks", checks);
        resp.setHeader("Cache-Control", "no-store");
        bodies.write(resp, report.ready() ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE, body);
    }
}
