package dev.packbase.runner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before a request reaches the webapp (a URI it refuses as ambiguous or suspicious,
 * a malformed request line): the JSON error body of CONTRACT §4, {@code {"status": code, "message": …}}, instead
 * of Jetty's HTML page. Errors the webapp raises never come here; its error ladder answers them.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) throws IOException {
        String reason = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        String body = "{\"status\":\"" + codeName(code) + "\",\"message\":\"" + escape("request refused by the server: "
                + reason) + "\"}";
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8");
        response.getHeaders().put("X-Packbase-Error", codeName(code));
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    /** The snake_case code packbase's own errors use for the statuses Jetty answers with. */
    static String codeName(int code) {
        return switch (code) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "payload_too_large";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            case 503 -> "busy";
            default -> code >= 500 ? "internal_error" : "bad_request";
        };
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
