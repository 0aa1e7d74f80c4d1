package dev.packbase.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/**
 * Base of packbase's HTTP endpoints outside the Git layer: one {@link #handle} method per servlet,
 * every failure answered through {@link ErrorResponses}, and JSON written with the shared mapper.
 */
abstract class JsonServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    protected final transient ObjectMapper json;
    protected final transient ErrorResponses errors;

    JsonServlet(ObjectMapper json, ErrorResponses errors) {
        this.json = json;
        this.errors = errors;
    }

    /** Handles any method; unknown ones are answered by {@link #methodNotAllowed}. */
    protected abstract void handle(HttpServletRequest req, HttpServletResponse resp) throws Exception;

    @Override
    protected final void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            handle(req, resp);
        } catch (Exception | LinkageError e) {
            drainSmallBody(req);
            errors.send(resp, e, req.getMethod() + " " + req.getRequestURI());
        }
    }

    /**
     * Reads what is left of a small request body before an error answer, so the connection can be
     * kept alive: a server that answers without reading the body must close the connection, and
     * clients that reuse it (Java's HttpClient, Git) see it fail. Large bodies are left alone.
     */
    private static void drainSmallBody(HttpServletRequest req) {
        long length = req.getContentLengthLong();
        boolean chunked = "chunked".equalsIgnoreCase(req.getHeader("Transfer-Encoding"));
        if (length <= 0 && !chunked || length > 65_536) {
            return;
        }
        try (java.io.InputStream in = req.getInputStream()) {
            byte[] buffer = new byte[8192];
            long left = 65_536;
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            // The body was already read, the reader was taken, or the client is gone or too slow (the
            // container's own exception type). Draining is a courtesy; the real error still gets answered.
        }
    }

    protected void writeJson(HttpServletResponse resp, int status, Object body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        if (resp.getHeader("Cache-Control") == null) {
            resp.setHeader("Cache-Control", "no-cache");
        }
        json.writeValue(resp.getOutputStream(), body);
    }

    /** Sends an already serialised JSON body with status 200 and the same headers as {@link #writeJson}. */
    protected void writeJsonBytes(HttpServletResponse resp, byte[] body) throws IOException {
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        if (resp.getHeader("Cache-Control") == null) {
            resp.setHeader("Cache-Control", "no-cache");
        }
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    protected static PackbaseException methodNotAllowed(HttpServletRequest req, HttpServletResponse resp, String allow) {
        resp.setHeader("Allow", allow);
        return new PackbaseException(ErrorCode.METHOD_NOT_ALLOWED,
                "method " + req.getMethod() + " is not allowed on " + req.getRequestURI() + "; use " + allow,
                Map.of(), null);
    }

    protected static PackbaseException noRoute(HttpServletRequest req) {
        return PackbaseException.notFound("no such resource: " + req.getRequestURI());
    }
}
