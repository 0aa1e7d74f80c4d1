package dev.packbase.runner;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * With {@code PACKBASE_METRICS_PORT}: the metrics connector answers {@code /metrics} (through the webapp, like
 * any request) and nothing else, and the main connector never answers {@code /metrics}; both refusals are the
 * webapp's JSON 404 shape, so a scraper cannot reach the registry's API and clients of the API cannot scrape.
 */
final class MetricsPortHandler extends Handler.Wrapper {
    private static final String METRICS = "/metrics";

    private final Connector metricsConnector;

    MetricsPortHandler(Handler next, Connector metricsConnector) {
        super(next);
        this.metricsConnector = metricsConnector;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        boolean onMetricsPort = request.getConnectionMetaData().getConnector() == metricsConnector;
        boolean metricsPath = METRICS.equals(request.getHttpURI().getPath());
        if (onMetricsPort == metricsPath) {
            return super.handle(request, response, callback);
        }
        String message = onMetricsPort ? "the metrics port serves only /metrics"
                : "/metrics is served on the metrics port (PACKBASE_METRICS_PORT)";
        byte[] body = ("{\"status\":\"not_found\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        response.setStatus(404);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
