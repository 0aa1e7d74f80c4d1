package dev.packbase.http;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * packbase's only servlet, mapped to {@code /*}: it finds the request's route in the {@link Routes} table, admits
 * the request under the {@link RequestLimit}, runs the route's handler, and hands every failure to the
 * {@link ErrorLadder} in the route's dialect. The container's error page (web.xml) dispatches here too, and is
 * answered by the ladder in the dialect of the path that failed. Taking every path also means the container never
 * serves a file of the WAR itself (such as the launcher classes at its root).
 */
final class EdgeServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient Routes routes;
    private final transient RequestLimit limit;
    private final transient ErrorLadder errors;

    EdgeServlet(Routes routes, RequestLimit limit, ErrorLadder errors) {
        this.routes = routes;
        this.limit = limit;
        this.errors = errors;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getDispatcherType() == DispatcherType.ERROR) {
            errors.sendContainerError(req, resp, routes);
            return;
        }
        String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        Routes.Match match = routes.find(path, req);
        Dialect dialect = match == null ? Dialect.JSON : match.route().dialect();
        var busy = limit.tryEnter();
        if (busy != null) {
            errors.send(req, resp, dialect, busy);
            return;
        }
        try {
            if (match == null) {
                throw Methods.noRoute(req);
            }
            match.route().handler().handle(req, resp, match);
        } catch (Exception | LinkageError e) {
            errors.send(req, resp, dialect, e);
        } finally {
            limit.release();
        }
    }
}
