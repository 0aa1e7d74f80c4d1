package dev.packbase.http;

import dev.packbase.config.Config;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /}: a short JSON description of the service and where its endpoints are. */
final class RootHandler implements Routes.Handler {
    private final Config config;
    private final JsonBodies bodies;

    RootHandler(Config config, JsonBodies bodies) {
        this.config = config;
        this.bodies = bodies;
    }

    @Override
    public void handle(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        Methods.require(req, resp, Methods.READ);
        String base = req.getContextPath();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service", "packbase");
        out.put("release", config.release());
        out.put("status", base + "/api/status");
        out.put("packages", base + "/api/list");
        out.put("tarballs", base + "/p/<package>/tag/<tag>.tar.gz");
        bodies.write(resp, HttpServletResponse.SC_OK, out);
    }
}
