package dev.packbase.http;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageName;
import dev.packbase.git.GitService;
import dev.packbase.storage.StoredObject;
import dev.packbase.metrics.Metrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * The pseudo-Git layer over HTTP at {@code /git/<pkg>.git/…} and the root aliases {@code /<pkg>/…} and
 * {@code /<pkg>.git/…}: smart HTTP upload-pack (v2 and v0/v1) and the dumb-HTTP files; push is refused. Its
 * routes answer errors in Git's own terms ({@link Dialect#GIT}), so failures here are thrown like anywhere else.
 */
final class GitHandler {
    /** Upload-pack requests are wants and haves: megabytes at most, even for huge clones. */
    static final int MAX_REQUEST_BYTES = 16 << 20;

    private final GitService git;

    GitHandler(GitService git) {
        this.git = git;
    }

    /** {@code /git/*}: the rest is {@code /<pkg>[.git]/<Git path>}. */
    void underGit(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        String path = match.rest();
        int slash = path.indexOf('/', 1);
        if (!path.startsWith("/") || slash < 0) {
            throw PackbaseException.notFound("not a Git repository path: " + req.getRequestURI());
        }
        serve(req, resp, path.substring(1, slash), path.substring(slash + 1));
    }

    /** The root alias {@code /{repo}/*}, taken only for {@link #isAliasPath Git paths}. */
    void atRoot(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        serve(req, resp, match.get("repo"), match.rest().substring(1));
    }

    /** Whether the root alias takes a path: {@code /<pkg>/<Git path>}, not any other {@code /<name>/…}. */
    static boolean isAliasPath(Routes.Match match, HttpServletRequest req) {
        String rest = match.rest();
        return rest.length() > 1 && isGitPath(rest.substring(1));
    }

    /**
     * Smart HTTP (an upload-pack or receive-pack POST, or the {@code info/refs?service=…} advertisement that
     * starts one) or dumb HTTP (everything else: {@code info/refs} alone, {@code HEAD}, {@code objects/…}).
     */
    static Metrics.Route kind(HttpServletRequest req) {
        String uri = req.getRequestURI();
        boolean smart = uri.endsWith("/git-upload-pack") || uri.endsWith("/git-receive-pack")
                || uri.endsWith("/info/refs") && req.getQueryString() != null && req.getQueryString().contains("service=");
        return smart ? Metrics.Route.GIT_SMART : Metrics.Route.GIT_DUMB;
    }

    /** Whether {@code rest} (the part after the repository) is a path the Git layer answers. */
    static boolean isGitPath(String rest) {
        return rest.equals("info/refs") || rest.equals("git-upload-pack") || rest.equals("git-receive-pack")
                || rest.equals("HEAD") || rest.startsWith("objects/");
    }

    private void serve(HttpServletRequest req, HttpServletResponse resp, String repo, String rest) throws IOException {
        String packageName = repo.endsWith(".git") ? repo.substring(0, repo.length() - 4) : repo;
        if (!PackageName.isValid(packageName)) {
            throw PackbaseException.notFound("repository not found: " + packageName);
        }
        if (rest.equals("git-receive-pack") || (rest.equals("info/refs")
                && "git-receive-pack".equals(QueryParameters.get(req, "service")))) {
            throw new PackbaseException(ErrorCode.FORBIDDEN,
                    "push is not supported: packbase serves packages read-only, from their tarballs");
        }
        GitService.Served served = git.open(new PackageName(packageName))
                .orElseThrow(() -> PackbaseException.notFound("repository not found: " + packageName));
        if (rest.equals("git-upload-pack")) {
            Methods.require(req, resp, Methods.POST);
            uploadPack(req, resp, served);
            return;
        }
        Methods.require(req, resp, Methods.READ);
        switch (rest) {
            case "info/refs" -> {
                String service = QueryParameters.get(req, "service");
                if (service == null) {
                    bytes(resp, "text/plain", git.dumbInfoRefs(served));
                } else if (service.equals("git-upload-pack")) {
                    advertise(req, resp, served);
                } else {
                    throw new PackbaseException(ErrorCode.FORBIDDEN, "unsupported service: " + service);
                }
            }
            case "HEAD" -> bytes(resp, "text/plain", git.dumbHead(served));
            case "objects/info/packs" -> bytes(resp, "text/plain", git.dumbPacks(served));
            default -> packFile(resp, served, rest, req.getMethod().equals("HEAD"));
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
        byte[] body = readBody(req);
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
                throw new PackbaseException(ErrorCode.PAYLOAD_TOO_LARGE,
                        "upload-pack request larger than " + MAX_REQUEST_BYTES + " bytes");
            }
        }
        return out.toByteArray();
    }

    private void packFile(HttpServletResponse resp, GitService.Served served, String rest, boolean head) throws IOException {
        Optional<StoredObject> file = rest.startsWith("objects/pack/")
                ? git.packFile(served, rest.substring("objects/pack/".length())) : Optional.empty();
        if (file.isEmpty()) {
            throw PackbaseException.notFound("not found: " + rest);
        }
        try (StoredObject pack = file.get()) {
            resp.setStatus(200);
            resp.setContentType(rest.endsWith(".pack") ? "application/x-git-packed-objects"
                    : "application/x-git-packed-objects-toc");
            resp.setHeader("Cache-Control", "public, max-age=31536000, immutable");
            resp.setContentLengthLong(pack.size());
            if (!head) {
                pack.transferTo(0, pack.size(), Channels.newChannel(resp.getOutputStream()));
            }
        }
    }

    private static void bytes(HttpServletResponse resp, String type, byte[] body) throws IOException {
        resp.setStatus(200);
        resp.setContentType(type);
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-cache");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
