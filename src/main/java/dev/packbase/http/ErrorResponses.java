package dev.packbase.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place where failures become HTTP answers on the JSON paths: a {@link PackbaseException}
 * becomes its status and {@code {"status": code, "message": …}} plus its details; anything else is
 * logged with a short incident id and answered as a bare internal_error, never a stack trace.
 */
public final class ErrorResponses {
    private static final Logger LOG = Logger.getLogger(ErrorResponses.class.getName());

    private final ObjectMapper json;

    public ErrorResponses(ObjectMapper json) {
        this.json = json;
    }

    public void send(HttpServletResponse resp, Throwable failure, String what) throws IOException {
        PackbaseException error = failure instanceof PackbaseException p ? p : unexpected(failure, what);
        send(resp, error.code(), error.getMessage(), error.details());
    }

    public void send(HttpServletResponse resp, ErrorCode code, String message, Map<String, Object> details)
            throws IOException {
        if (resp.isCommitted()) {
            LOG.fine(() -> "response already committed; dropping error " + code.code() + ": " + message);
            return;
        }
        resp.resetBuffer();
        resp.setStatus(code.httpStatus());
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("X-Packbase-Error", code.code());
        if (details.get("retry_after") instanceof Number seconds) {
            resp.setHeader("Retry-After", String.valueOf(Math.max(1, seconds.longValue())));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", code.code());
        body.put("message", message);
        details.forEach(body::putIfAbsent);
        json.writeValue(resp.getOutputStream(), body);
    }

    private static PackbaseException unexpected(Throwable failure, String what) {
        String incident = UUID.randomUUID().toString().substring(0, 8);
        LOG.log(Level.SEVERE, "internal error " + incident + " while handling " + what, failure);
        return new PackbaseException(ErrorCode.INTERNAL_ERROR,
                "internal error (incident " + incident + "); the server log has the details");
    }
}
