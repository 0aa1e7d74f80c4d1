package dev.packbase.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.config.Config;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The default servlet ({@code /}): a short JSON description at the root, the Git root alias
 * ({@code /<pkg>/info/refs}, {@code /<pkg>.git/git-upload-pack}, …, handed to {@link GitHttpServlet}),
 * and a JSON 404 for every other path no servlet claims. Mapping packbase's own servlet here also means the container never
 * serves files from the WAR itself (such as the launcher classes at its root).
 */
public final class RootServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    private final transient Config config;
    private final transient GitHttpServlet git;

    public RootServlet(Config config, GitHttpServlet git, ObjectMapper json, ErrorResponses errors) {
        super(json, errors);
        this.config = config;
        this.git = git;
    }

    @Override
    protected void handle(HttpServletRequest req, HttpServletResponse resp) throws Exception {
        String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        int slash = path.indexOf('/', 1);
        if (slash > 1 && GitHttpServlet.isGitPath(path.substring(slash + 1))) {
            // The root alias: /<pkg>/info/refs and /<pkg>.git/info/refs are /git/<pkg>.git/info/refs.
            String repo = path.substring(1, slash);
            git.handle(req, resp, repo.endsWith(".git") ? repo.substring(0, repo.length() - 4) : repo,
                    path.substring(slash + 1));
            return;
        }
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
