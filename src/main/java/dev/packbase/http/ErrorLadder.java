package dev.packbase.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.git.PktLines;
import dev.packbase.storage.StorageUnavailableException;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place where failures become HTTP answers: a handler's {@link PackbaseException} or unexpected
 * exception, the request limit's {@code busy}, and the container's own errors (web.xml's error page). A
 * {@link PackbaseException} keeps its status, message and details; anything else is logged with a short incident
 * id and answered as a bare internal_error, never a stack trace. The answer is in the route's {@link Dialect}:
 * <ul>
 *   <li>JSON: {@code {"status": code, "message": …, "request_id": …, details…}} (CONTRACT §4 asks for at least
 *       the first two).</li>
 *   <li>Git: Git clients never show JSON. For an upload-pack POST from a Git client, a 200 carrying an
 *       {@code ERR} pkt-line, which git prints as "remote error: …" (it shows no body of a non-200 POST, only
 *       "RPC failed; HTTP 503"); JGit's server does the same. Anything else (info/refs, dumb HTTP, push)
 *       gets the status with a {@code text/plain} message, which git prints as "remote: …" before its own
 *       line.</li>
 *   <li>HTML: the web face's own page with the status and the message, under the pages' headers.</li>
 * </ul>
 * Both carry {@code X-Packbase-Error} with the code, and {@code Retry-After} when the failure says when to retry.
 */
final class ErrorLadder {
    private static final Logger LOG = Logger.getLogger(ErrorLadder.class.getName());
    private static final String UPLOAD_PACK_REQUEST = "application/x-git-upload-pack-request";
    /** Bodies up to this size are read before an error answer (see {@link #drainSmallBody}). */
    private static final int DRAINED_BYTES = 65_536;
    /** What a client is told to wait when the store is unavailable: about one engine restart. */
    private static final int STORAGE_RETRY_SECONDS = 5;

    /** The page a browser gets for an error on the web face. */
    @FunctionalInterface
    interface ErrorPages {
        byte[] page(HttpServletRequest req, int status, String message);
    }

    private final ObjectMapper json;
    private final ErrorPages pages;

    ErrorLadder(ObjectMapper json, ErrorPages pages) {
        this.json = json;
        this.pages = pages;
    }

    /** Answers a handler's failure. */
    void send(HttpServletRequest req, HttpServletResponse resp, Dialect dialect, Throwable failure) throws IOException {
        PackbaseException error = classify(failure, req.getMethod() + " " + req.getRequestURI());
        if (error.code() != ErrorCode.BUSY) {
            drainSmallBody(req);
        }
        answer(req, resp, dialect, error.code(), error.getMessage(), error.details());
    }

    /**
     * Answers an error the container raised itself (an ERROR dispatch to web.xml's error page): an exception
     * that escaped, or a status such as the security constraint's 403, in the dialect of the original path.
     */
    void sendContainerError(HttpServletRequest req, HttpServletResponse resp, Routes routes) throws IOException {
        Object status = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Object uri = req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String where = uri == null ? req.getRequestURI() : uri.toString();
        Dialect dialect = routes.dialect(pathWithinContext(where, req.getContextPath()), req);
        if (req.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable t) {
            answer(req, resp, dialect, classify(t, "request " + where));
            return;
        }
        int code = status instanceof Integer i ? i : HttpServletResponse.SC_NOT_FOUND;
        ErrorCode errorCode = Arrays.stream(ErrorCode.values()).filter(c -> c.httpStatus() == code).findFirst()
                .orElse(code >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.BAD_REQUEST);
        String message = switch (code) {
            case 404 -> "no such resource: " + where;
            case 405 -> "method not allowed on " + where;
            default -> "request " + where + " failed with HTTP " + code;
        };
        answer(req, resp, dialect, errorCode, message, Map.of());
        resp.setStatus(code); // the container's own status, where it is not one of packbase's codes
    }

    private void answer(HttpServletRequest req, HttpServletResponse resp, Dialect dialect, PackbaseException e)
            throws IOException {
        answer(req, resp, dialect, e.code(), e.getMessage(), e.details());
    }

    private void answer(HttpServletRequest req, HttpServletResponse resp, Dialect dialect, ErrorCode code, String message,
            Map<String, Object> details) throws IOException {
        if (resp.isCommitted()) {
            LOG.fine(() -> "response already committed; dropping error " + code.code() + ": " + message);
            return;
        }
        resp.resetBuffer();
        resp.setHeader("X-Packbase-Error", code.code());
        if (details.get("retry_after") instanceof Number seconds) {
            resp.setHeader("Retry-After", String.valueOf(Math.max(1, seconds.longValue())));
        }
        if (dialect == Dialect.JSON) {
            resp.setStatus(code.httpStatus());
            resp.setContentType("application/json");
            resp.setCharacterEncoding("UTF-8");
            resp.setHeader("Cache-Control", "no-store");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", code.code());
            body.put("message", message);
            RequestId.of(req).ifPresent(id -> body.put("request_id", id.value()));
            details.forEach(body::putIfAbsent);
            json.writeValue(resp.getOutputStream(), body);
            return;
        }
        resp.setHeader("Cache-Control", "no-cache");
        byte[] body;
        if (dialect == Dialect.HTML) {
            resp.setStatus(code.httpStatus());
            PageHandler.pageHeaders(resp);
            body = pages.page(req, code.httpStatus(), message);
        } else if (inUploadPack(req)) {
            resp.setStatus(HttpServletResponse.SC_OK);
            resp.setContentType("application/x-git-upload-pack-result");
            body = PktLines.error(message);
        } else {
            resp.setStatus(code.httpStatus());
            resp.setContentType("text/plain");
            resp.setCharacterEncoding("UTF-8");
            body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        }
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    /** Whether the request is a Git client's upload-pack POST, whose errors it reads as pkt-lines only. */
    private static boolean inUploadPack(HttpServletRequest req) {
        String type = req.getContentType();
        return req.getMethod().equals("POST") && type != null && type.regionMatches(true, 0, UPLOAD_PACK_REQUEST, 0,
                UPLOAD_PACK_REQUEST.length());
    }

    /**
     * A handler's failure as the answer to give: a store that is unavailable (anywhere in the causes: layers
     * wrap I/O failures) is a 503 with Retry-After, whatever wrapped it; a {@link PackbaseException} is itself;
     * anything else is an internal error.
     */
    private static PackbaseException classify(Throwable failure, String what) {
        java.util.Optional<StorageUnavailableException> unavailable = StorageUnavailableException.in(failure);
        if (unavailable.isPresent()) {
            LOG.warning(() -> what + ": " + unavailable.get().getMessage());
            return new PackbaseException(ErrorCode.STORAGE_UNAVAILABLE,
                    "the registry's storage is unavailable; retry in a few seconds",
                    Map.of("retry_after", STORAGE_RETRY_SECONDS), unavailable.get());
        }
        return failure instanceof PackbaseException p ? p : unexpected(failure, what);
    }

    private static PackbaseException unexpected(Throwable failure, String what) {
        String incident = UUID.randomUUID().toString().substring(0, 8);
        LOG.log(Level.SEVERE, "internal error " + incident + " while handling " + what, failure);
        return new PackbaseException(ErrorCode.INTERNAL_ERROR,
                "internal error (incident " + incident + "); the server log has the details");
    }

    /**
     * Reads what is left of a small request body before an error answer, so the connection can be
     * kept alive: a server that answers without reading the body must close the connection, and
     * clients that reuse it (Java's HttpClient, Git) see it fail. Large bodies are left alone, and so are the
     * bodies of busy answers, which must not spend time on a client.
     */
    private static void drainSmallBody(HttpServletRequest req) {
        long length = req.getContentLengthLong();
        boolean chunked = "chunked".equalsIgnoreCase(req.getHeader("Transfer-Encoding"));
        if (length <= 0 && !chunked || length > DRAINED_BYTES) {
            return;
        }
        try (InputStream in = req.getInputStream()) {
            byte[] buffer = new byte[8192];
            long left = DRAINED_BYTES;
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            // The body was already read, the reader was taken, or the client is gone or too slow (the
            // container's own exception type). Draining is a courtesy; the real error still gets answered.
        }
    }

    /**
     * The path of a raw request URI within the context, percent-decoded where that is valid UTF-8 (enough to
     * pick a dialect; the container has already refused what it could not decode).
     */
    static String pathWithinContext(String uri, String contextPath) {
        String path = uri.startsWith(contextPath) ? uri.substring(contextPath.length()) : uri;
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (path.indexOf('%') < 0) {
            return path;
        }
        try {
            return java.net.URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return path;
        }
    }
}
