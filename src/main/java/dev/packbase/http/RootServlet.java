package dev.packbase.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.config.Config;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The default servlet ({@code /}): a short JSON description at the root and a JSON 404 for every
 * path no other servlet claims. Mapping packbase's own servlet here also means the container never
 * serves files from the WAR itself (such as the launcher classes at its root).
 */
public final class RootServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    private final transient Config config;

    public RootServlet(Config config, ObjectMapper json, ErrorResponses errors) {
        super(json, errors);
        this.config = config;
    }

    @Override
    protected void handle(HttpServletRequest req, HttpServletResponse resp) throws Exception {
        String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        if (!path.equals("/") && !path.isEmpty()) {
            throw noRoute(req);
        }
        if (!req.getMethod().equals("GET") && !req.getMethod().equals("HEAD")) {
            throw methodNotAllowed(req, resp, "GET, HEAD");
        }
        String base = req.getContextPath();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service", "packbase");
        out.put("release", config.release());
        out.put("status", base + "/api/status");
        out.put("packages", base + "/api/list");
        out.put("tarballs", base + "/p/<package>/tag/<tag>.tar.gz");
        writeJson(resp, HttpServletResponse.SC_OK, out);
    }
}
