package dev.packbase.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.ErrorCode;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Arrays;
import java.util.Map;

/**
 * The container's error page (web.xml): errors raised by the container itself (an unmapped method,
 * a malformed request, an exception escaping a filter) are answered in packbase's JSON error format
 * instead of the container's HTML page.
 */
public final class ErrorPageServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;

    public ErrorPageServlet(ObjectMapper json, ErrorResponses errors) {
        super(json, errors);
    }

    @Override
    protected void handle(HttpServletRequest req, HttpServletResponse resp) throws Exception {
        Object status = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        Object uri = req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        Object failure = req.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        if (failure instanceof Throwable t) {
            errors.send(resp, t, "request " + uri);
            return;
        }
        int code = status instanceof Integer i ? i : HttpServletResponse.SC_NOT_FOUND;
        ErrorCode errorCode = Arrays.stream(ErrorCode.values()).filter(c -> c.httpStatus() == code).findFirst()
                .orElse(code >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.BAD_REQUEST);
        String message = switch (code) {
            case 404 -> "no such resource: " + (uri == null ? req.getRequestURI() : uri);
            case 405 -> "method not allowed on " + uri;
            default -> "request " + (uri == null ? "" : uri) + " failed with HTTP " + code;
        };
        errors.send(resp, errorCode, message, Map.of());
        resp.setStatus(code);
    }
}
