package dev.packbase.http;

import dev.packbase.http.fastpath.FastPath;
import dev.packbase.metrics.Metrics;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * packbase's only servlet, mapped to {@code /*}: it gives the request its {@link RequestId}, finds its route in
 * the {@link Routes} table, admits it under the {@link RequestLimit}, runs the route's handler, hands every
 * failure to the {@link ErrorLadder} in the route's dialect, and counts the answer in the {@link Metrics} (route
 * kind, status, time, body bytes). The container's error page (web.xml) dispatches here too, and is
 * answered by the ladder in the dialect of the path that failed. Taking every path also means the container never
 * serves a file of the WAR itself (such as the launcher classes at its root).
 */
final class EdgeServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient Routes routes;
    private final transient RequestLimit limit;
    private final transient ErrorLadder errors;
    private final transient RequestIds ids;
    private final transient Metrics metrics;

    EdgeServlet(Routes routes, RequestLimit limit, ErrorLadder errors, RequestIds ids, Metrics metrics) {
        this.routes = routes;
        this.limit = limit;
        this.errors = errors;
        this.ids = ids;
        this.metrics = metrics;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long start = System.nanoTime();
        RequestId id = RequestId.of(req).orElseGet(() -> ids.assign(req.getRemoteAddr(), req.getHeader(RequestId.HEADER)));
        req.setAttribute(RequestId.ATTRIBUTE, id);
        resp.setHeader(RequestId.HEADER, id.value());
        if (req.getDispatcherType() == DispatcherType.ERROR) {
            errors.sendContainerError(req, resp, routes);
            count(req, Metrics.Route.OTHER, resp.getStatus(), start, 0);
            return;
        }
        String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        Routes.Match match = routes.find(path, req);
        Dialect dialect = match == null ? Dialect.JSON : match.route().dialect();
        Metrics.Route kind = match == null ? Metrics.Route.OTHER : match.kind(req);
        CountingResponse counted = new CountingResponse(resp);
        boolean limited = match == null || match.route().limited();
        var busy = limited ? limit.tryEnter() : null;
        if (busy != null) {
            metrics.requestRejected();
            errors.send(req, counted, dialect, busy);
            count(req, kind, counted.getStatus(), start, counted.bytes());
            return;
        }
        try {
            if (match == null) {
                throw Methods.noRoute(req);
            }
            match.route().handler().handle(req, counted, match);
        } catch (Exception | LinkageError e) {
            errors.send(req, counted, dialect, e);
        } finally {
            if (limited) {
                limit.release();
            }
            count(req, kind, counted.getStatus(), start, counted.bytes() + TarballSender.sendfileBytes(req));
        }
    }

    private void count(HttpServletRequest req, Metrics.Route kind, int status, long start, long bytes) {
        req.setAttribute(FastPath.ROUTE_ATTRIBUTE, kind.label());
        metrics.request(kind, status, System.nanoTime() - start, bytes);
    }
}
