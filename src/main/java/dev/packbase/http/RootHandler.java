package dev.packbase.http;

import dev.packbase.config.Config;
import dev.packbase.domain.PublicPaths;
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
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service", "packbase");
        out.put("release", config.release());
        out.put("status", PublicUrls.inContext(req, PublicPaths.api("status")));
        out.put("packages", PublicUrls.inContext(req, PublicPaths.api("list")));
        out.put("tarballs", PublicUrls.inContext(req, PublicPaths.tarballPattern()));
        bodies.write(resp, HttpServletResponse.SC_OK, out);
    }
}
