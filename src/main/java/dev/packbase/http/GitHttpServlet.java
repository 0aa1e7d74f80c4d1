package dev.packbase.http;

import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageName;
import dev.packbase.git.GitService;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.GZIPInputStream;

/**
 * The pseudo-Git layer over HTTP at {@code /git/<pkg>.git/…}; the root aliases {@code /<pkg>/…} and
 * {@code /<pkg>.git/…} are routed here by {@link RootServlet}. Smart HTTP upload-pack (v2 and v0/v1)
 * and the dumb-HTTP files; push is refused. Git clients do not read JSON, so every answer here is in
 * Git's own terms: pkt-lines, or a plain-text message with the HTTP status.
 */
public final class GitHttpServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(GitHttpServlet.class.getName());
    /** Upload-pack requests are wants and haves: megabytes at most, even for huge clones. */
    static final int MAX_REQUEST_BYTES = 16 << 20;

    private final transient GitService git;

    public GitHttpServlet(GitService git) {
        this.git = git;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        int slash = path.indexOf('/', 1);
        if (!path.startsWith("/") || slash < 0) {
            text(resp, 404, "not a Git repository path: " + req.getRequestURI());
            return;
        }
        String repo = path.substring(1, slash);
        handle(req, resp, repo.endsWith(".git") ? repo.substring(0, repo.length() - 4) : repo, path.substring(slash + 1));
    }

    /** Whether {@code rest} (the part after the repository) is a path the Git layer answers. */
    static boolean isGitPath(String rest) {
        return rest.equals("info/refs") || rest.equals("git-upload-pack") || rest.equals("git-receive-pack")
                || rest.equals("HEAD") || rest.startsWith("objects/");
    }

    void handle(HttpServletRequest req, HttpServletResponse resp, String packageName, String rest) throws IOException {
        try {
            if (!PackageName.isValid(packageName)) {
                text(resp, 404, "repository not found: " + packageName);
                return;
            }
            if (rest.equals("git-receive-pack") || (rest.equals("info/refs")
                    && "git-receive-pack".equals(QueryParameters.get(req, "service")))) {
                text(resp, 403, "push is not supported: packbase serves packages read-only, from their tarballs");
                return;
            }
            Optional<GitService.Served> served = git.open(new PackageName(packageName));
            if (served.isEmpty()) {
                text(resp, 404, "repository not found: " + packageName);
                return;
            }
            String method = req.getMethod();
            if (rest.equals("git-upload-pack")) {
                if (!method.equals("POST")) {
                    methodNotAllowed(resp, "POST");
                    return;
                }
                uploadPack(req, resp, served.get());
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                methodNotAllowed(resp, "GET, HEAD");
                return;
            }
            switch (rest) {
                case "info/refs" -> {
                    String service = QueryParameters.get(req, "service");
                    if (service == null) {
                        bytes(resp, "text/plain", git.dumbInfoRefs(served.get()), false);
                    } else if (service.equals("git-upload-pack")) {
                        advertise(req, resp, served.get());
                    } else {
                        text(resp, 403, "unsupported service: " + service);
                    }
                }
                case "HEAD" -> bytes(resp, "text/plain", git.dumbHead(served.get()), false);
                case "objects/info/packs" -> bytes(resp, "text/plain", git.dumbPacks(served.get()), false);
                default -> packFile(resp, served.get(), rest, method.equals("HEAD"));
            }
        } catch (PackbaseException e) {
            if (!resp.isCommitted()) {
                text(resp, e.code().httpStatus(), e.getMessage());
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "Git request " + req.getMethod() + " " + req.getRequestURI() + " failed", e);
            if (!resp.isCommitted()) {
                text(resp, 500, "internal error while serving " + packageName);
            }
        }
    }

    private void advertise(HttpServletRequest req, HttpServletResponse resp, GitService.Served served) throws IOException {
        resp.setStatus(200);
        resp.setContentType("application/x-git-upload-pack-advertisement");
        resp.setHeader("Cache-Control", "no-cache");
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        git.advertise(served, req.getHeader("Git-Protocol"), buffer);
        resp.setContentLength(buffer.size());
        buffer.writeTo(resp.getOutputStream());
    }

    private void uploadPack(HttpServletRequest req, HttpServletResponse resp, GitService.Served served) throws IOException {
        byte[] body;
        try {
            body = readBody(req);
        } catch (RequestTooLarge e) {
            text(resp, 413, e.getMessage());
            return;
        }
        resp.setStatus(200);
        resp.setContentType("application/x-git-upload-pack-result");
        resp.setHeader("Cache-Control", "no-cache");
        OutputStream out = resp.getOutputStream();
        git.uploadPack(served, body, req.getHeader("Git-Protocol"), out);
        out.flush();
    }

    /** The whole request body, decompressed if the client gzipped it (Git and JGit do), bounded both ways. */
    private static byte[] readBody(HttpServletRequest req) throws IOException {
        InputStream in = req.getInputStream();
        String encoding = req.getHeader("Content-Encoding");
        if (encoding != null && (encoding.equalsIgnoreCase("gzip") || encoding.equalsIgnoreCase("x-gzip"))) {
            in = new GZIPInputStream(in);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
            out.write(buffer, 0, n);
            if (out.size() > MAX_REQUEST_BYTES) {
                throw new RequestTooLarge("upload-pack request larger than " + MAX_REQUEST_BYTES + " bytes");
            }
        }
        return out.toByteArray();
    }

    private void packFile(HttpServletResponse resp, GitService.Served served, String rest, boolean head) throws IOException {
        Optional<Path> file = rest.startsWith("objects/pack/") ? git.packFile(served, rest.substring("objects/pack/".length()))
                : Optional.empty();
        if (file.isEmpty()) {
            text(resp, 404, "not found: " + rest);
            return;
        }
        resp.setStatus(200);
        resp.setContentType(rest.endsWith(".pack") ? "application/x-git-packed-objects" : "application/x-git-packed-objects-toc");
        resp.setHeader("Cache-Control", "public, max-age=31536000, immutable");
        resp.setContentLengthLong(Files.size(file.get()));
        if (!head) {
            try (InputStream in = Files.newInputStream(file.get())) {
                in.transferTo(resp.getOutputStream());
            }
        }
    }

    private static void bytes(HttpServletResponse resp, String type, byte[] body, boolean cacheable) throws IOException {
        resp.setStatus(200);
        resp.setContentType(type);
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", cacheable ? "public, max-age=300" : "no-cache");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    private static void methodNotAllowed(HttpServletResponse resp, String allow) throws IOException {
        resp.setHeader("Allow", allow);
        text(resp, 405, "method not allowed; use " + allow);
    }

    static void text(HttpServletResponse resp, int status, String message) throws IOException {
        resp.resetBuffer();
        resp.setStatus(status);
        resp.setContentType("text/plain");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-cache");
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    private static final class RequestTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        RequestTooLarge(String message) {
            super(message);
        }
    }
}
