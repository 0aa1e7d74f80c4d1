package dev.packbase.runner;

import java.time.Instant;

import dev.packbase.http.fastpath.FastPath;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.component.ContainerLifeCycle;

/**
 * The access log as JSON lines ({@code PACKBASE_ACCESS_LOG_FORMAT=json}): one object per request with
 * {@code time} (its arrival, ISO-8601 UTC), {@code request_id} (the {@code X-Request-Id} the webapp answered),
 * {@code method}, {@code path}, {@code route} (the route kind the webapp counted it under; {@code other} for
 * what Jetty answered alone), {@code status}, {@code bytes} (body bytes written), {@code duration_ms} and
 * {@code remote_addr}. Written by hand: the launcher's class loader has no JSON library, and the escaping
 * needed for these few string fields is small.
 */
final class JsonRequestLog extends ContainerLifeCycle implements RequestLog {
    private final RequestLog.Writer writer;

    /** The writer is this log's bean: the server starts and stops it with the log (it opens the file). */
    JsonRequestLog(RequestLog.Writer writer) {
        this.writer = writer;
        addBean(writer);
    }

    @Override
    public void log(Request request, Response response) {
        long nanos = System.nanoTime() - request.getBeginNanoTime();
        Object route = request.getAttribute(FastPath.ROUTE_ATTRIBUTE);
        StringBuilder line = new StringBuilder(256);
        line.append("{\"time\":");
        string(line, Instant.ofEpochMilli(Request.getTimeStamp(request)).toString());
        line.append(",\"request_id\":");
        string(line, response.getHeaders().get(FastPath.REQUEST_ID_HEADER));
        line.append(",\"method\":");
        string(line, request.getMethod());
        line.append(",\"path\":");
        string(line, request.getHttpURI().getPath());
        line.append(",\"route\":");
        string(line, route instanceof String r ? r : "other");
        line.append(",\"status\":").append(response.getStatus());
        line.append(",\"bytes\":").append(Response.getContentBytesWritten(response));
        line.append(",\"duration_ms\":").append(String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e6));
        line.append(",\"remote_addr\":");
        string(line, Request.getRemoteAddr(request));
        line.append('}');
        try {
            writer.write(line.toString());
        } catch (java.io.IOException e) {
            java.util.logging.Logger.getLogger(JsonRequestLog.class.getName()).warning("cannot write the access log: " + e);
        }
    }

    /** A JSON string (or null): quotes, backslashes and every control character escaped. */
    static void string(StringBuilder out, String value) {
        if (value == null) {
            out.append("null");
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
