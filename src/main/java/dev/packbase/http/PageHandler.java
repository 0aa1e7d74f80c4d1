package dev.packbase.http;

import dev.packbase.domain.RefKind;
import dev.packbase.web.Site;
import dev.packbase.web.WebFace;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The HTTP side of the web face: who gets a page (a client whose {@code Accept} lists HTML first, i.e. a
 * browser; git, zig, curl and API clients keep their answers on the same URLs), the headers every page
 * carries (a strict Content-Security-Policy, an ETag from the bytes, {@code Vary: Accept}), 304s, and the
 * stylesheet and script, which are files of the WAR.
 */
final class PageHandler {
    /** Nothing from another host, no inline script or style, no framing, forms only to this site. */
    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    /** A tarball's image sent as it is: never a document that runs anything, even when opened directly. */
    private static final String RAW_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

    private record Asset(byte[] bytes, String type) {
    }

    private final WebFace web;
    private final PublicUrls urls;
    private final String release;
    private final Asset style;
    private final Asset script;

    PageHandler(WebFace web, PublicUrls urls, String release) {
        this.web = web;
        this.urls = urls;
        this.release = release;
        this.style = asset("/web/style.css", "text/css; charset=utf-8");
        this.script = asset("/web/site.js", "text/javascript; charset=utf-8");
    }

    /**
     * Whether the client asks for a page: the first media range of its {@code Accept} is {@code text/html}
     * (or XHTML), as every browser's navigation sends. Git sends {@code * / *} or its own types, zig none,
     * curl {@code * / *}, so they never get one.
     */
    static boolean wantsHtml(HttpServletRequest req) {
        String accept = req.getHeader("Accept");
        if (accept == null) {
            return false;
        }
        int end = accept.indexOf(',');
        String first = (end < 0 ? accept : accept.substring(0, end)).strip();
        int params = first.indexOf(';');
        if (params >= 0) {
            first = first.substring(0, params).strip();
        }
        return first.equalsIgnoreCase("text/html") || first.equalsIgnoreCase("application/xhtml+xml");
    }

    static boolean wantsHtml(Routes.Match match, HttpServletRequest req) {
        return wantsHtml(req);
    }

    /** {@code /{pkg}/{version}} is a page unless the segment is a Git path ({@code HEAD}). */
    static boolean versionPage(Routes.Match match, HttpServletRequest req) {
        return wantsHtml(req) && !GitHandler.isGitPath(match.get("version"));
    }

    /** A version's files: a page for a browser, or a README's image for whoever asks with {@code ?raw}. */
    static boolean filesOrImage(Routes.Match match, HttpServletRequest req) {
        return wantsHtml(req) || raw(req);
    }

    private static boolean raw(HttpServletRequest req) {
        String q = req.getQueryString();
        return q != null && (q.equals("raw") || q.startsWith("raw=") || q.startsWith("raw&"));
    }

    void index(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        Methods.require(req, resp, Methods.READ);
        send(req, resp, web.index(site(req), QueryParameters.get(req, "q"), QueryParameters.get(req, "sort"),
                QueryParameters.get(req, "page")).bytes());
    }

    void status(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        Methods.require(req, resp, Methods.READ);
        send(req, resp, web.status(site(req)).bytes());
    }

    void latest(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        Methods.require(req, resp, Methods.READ);
        send(req, resp, web.packagePage(site(req), match.get("pkg"), RefKind.TAG, null).bytes());
    }

    void version(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        Methods.require(req, resp, Methods.READ);
        send(req, resp, web.packagePage(site(req), match.get("pkg"), RefKind.TAG, match.get("version")).bytes());
    }

    void commit(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        Methods.require(req, resp, Methods.READ);
        send(req, resp, web.packagePage(site(req), match.get("pkg"), RefKind.COMMIT, match.get("id")).bytes());
    }

    void tagFiles(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        files(req, resp, match, RefKind.TAG, match.get("version"));
    }

    void commitFiles(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        files(req, resp, match, RefKind.COMMIT, match.get("id"));
    }

    private void files(HttpServletRequest req, HttpServletResponse resp, Routes.Match match, RefKind kind, String version)
            throws IOException {
        Methods.require(req, resp, Methods.READ);
        String path = match.rest().isEmpty() ? "" : match.rest().substring(1);
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (raw(req)) {
            WebFace.Raw image = web.image(match.get("pkg"), kind, version, path);
            resp.setHeader("Content-Security-Policy", RAW_POLICY);
            resp.setHeader("X-Content-Type-Options", "nosniff");
            send(req, resp, image.bytes(), image.contentType(), "public, max-age=3600");
            return;
        }
        send(req, resp, web.files(site(req), match.get("pkg"), kind, version, path).bytes());
    }

    void asset(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        Methods.require(req, resp, Methods.READ);
        Asset a = match.path().endsWith(".css") ? style : script;
        resp.setHeader("X-Content-Type-Options", "nosniff");
        // The page names the release in the URL (?v=…), so a new release is fetched at once.
        send(req, resp, a.bytes(), a.type(), "public, max-age=86400");
    }

    /** The page a browser gets for an error (the error ladder's HTML dialect). */
    byte[] errorPage(HttpServletRequest req, int status, String message) {
        return web.error(site(req), status, message).bytes();
    }

    private Site site(HttpServletRequest req) {
        return new Site(req.getContextPath(), urls.base(req), release);
    }

    /** The headers every page carries, error pages too. */
    static void pageHeaders(HttpServletResponse resp) {
        resp.setContentType("text/html");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Content-Security-Policy", POLICY);
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("Referrer-Policy", "same-origin");
        resp.setHeader("Vary", "Accept");
    }

    private static void send(HttpServletRequest req, HttpServletResponse resp, byte[] page) throws IOException {
        pageHeaders(resp);
        send(req, resp, page, null, "no-cache");
    }

    /** Sends {@code body} with an ETag from its bytes, or a 304 when the client has it. */
    private static void send(HttpServletRequest req, HttpServletResponse resp, byte[] body, String type, String caching)
            throws IOException {
        String etag = etag(body);
        if (type != null) {
            resp.setContentType(type);
        }
        resp.setHeader("ETag", etag);
        resp.setHeader("Cache-Control", caching);
        String match = req.getHeader("If-None-Match");
        if (match != null && (match.equals(etag) || match.contains(etag))) {
            resp.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentLength(body.length);
        if (!req.getMethod().equals("HEAD")) {
            resp.getOutputStream().write(body);
        }
    }

    static String etag(byte[] body) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Asset asset(String resource, String type) {
        try (InputStream in = PageHandler.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            byte[] bytes = in.readAllBytes();
            return new Asset(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
