package dev.packbase.http;

import dev.packbase.metrics.Metrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The route table: every path packbase answers, in order, each with its handler and the {@link Dialect} its
 * errors are answered in. The first route whose pattern matches (and whose guard accepts) wins; a path no
 * route takes is a JSON 404. Adding a route is one {@link #add} line where the table is built
 * ({@link PackbaseListener}). Each route names the kind ({@link Metrics.Route}) its requests are counted under.
 *
 * <p>Patterns are {@code /}-separated segments: a literal ({@code api}), a {@code {name}} that takes one
 * non-empty segment, and a trailing {@code *} that takes the rest of the path ({@code ""} or {@code /…},
 * like a servlet's path info). {@code /} alone matches the root. Matching walks the path once, without a
 * regex, since it runs for every download.
 */
final class Routes {

    /** What a route does with a request; {@code match} holds the captured segments and the rest. */
    @FunctionalInterface
    interface Handler {
        void handle(HttpServletRequest req, HttpServletResponse resp, Match match) throws Exception;
    }

    /** Whether a route takes a request its pattern matched (by the rest of the path, or by its headers). */
    @FunctionalInterface
    interface Guard {
        boolean takes(Match match, HttpServletRequest req);
    }

    /** The route kind a request is counted and logged under, when its route's kind depends on the request (Git). */
    @FunctionalInterface
    interface Kind {
        Metrics.Route of(HttpServletRequest req);
    }

    /** One line of the table. */
    record Route(String pattern, Dialect dialect, Kind kind, Handler handler, Guard guard, Segment[] segments,
            boolean rest, boolean limited) {
    }

    /** A literal segment, or a capture when {@code name} is set. */
    record Segment(String literal, String name) {
    }

    /** A route that matched a path: the values of its captures (in pattern order) and the rest of the path. */
    record Match(Route route, String path, String[] values, String rest) {

        /** The route kind of {@code req} on this route. */
        Metrics.Route kind(HttpServletRequest req) {
            return route.kind().of(req);
        }

        /** The value of capture {@code {name}}. */
        String get(String name) {
            Segment[] segments = route.segments();
            for (int i = 0, capture = 0; i < segments.length; i++) {
                if (segments[i].name() != null) {
                    if (segments[i].name().equals(name)) {
                        return values[capture];
                    }
                    capture++;
                }
            }
            throw new IllegalArgumentException("route " + route.pattern() + " has no {" + name + "}");
        }
    }

    private final List<Route> routes = new ArrayList<>();

    /** Adds a route at the end of the table. */
    Routes add(String pattern, Dialect dialect, Metrics.Route kind, Handler handler) {
        return add(pattern, dialect, req -> kind, handler, (m, req) -> true);
    }

    /** Adds a route that only takes the requests its {@code guard} accepts. */
    Routes add(String pattern, Dialect dialect, Metrics.Route kind, Handler handler, Guard guard) {
        return add(pattern, dialect, req -> kind, handler, guard);
    }

    /** Adds a route whose requests' kind depends on the request. */
    Routes add(String pattern, Dialect dialect, Kind kind, Handler handler, Guard guard) {
        routes.add(compile(pattern, dialect, kind, handler, guard, true));
        return this;
    }

    /**
     * Adds an operator's route (health, metrics): cheap, and outside the request limit, so that probes and
     * scrapes answer while the registry is saturated.
     */
    Routes addUnlimited(String pattern, Dialect dialect, Metrics.Route kind, Handler handler) {
        routes.add(compile(pattern, dialect, req -> kind, handler, (m, req) -> true, false));
        return this;
    }

    /** The first route taking {@code req} for {@code path} (decoded, within the context), or null when none does. */
    Match find(String path, HttpServletRequest req) {
        for (Route route : routes) {
            Match m = match(route, path);
            if (m != null && route.guard().takes(m, req)) {
                return m;
            }
        }
        return null;
    }

    /** The dialect errors of {@code req} on {@code path} are answered in: the matching route's, JSON when none matches. */
    Dialect dialect(String path, HttpServletRequest req) {
        Match m = find(path, req);
        return m == null ? Dialect.JSON : m.route().dialect();
    }

    private static Route compile(String pattern, Dialect dialect, Kind kind, Handler handler, Guard guard,
            boolean limited) {
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("a route pattern starts with '/': " + pattern);
        }
        boolean rest = pattern.equals("/*") || pattern.endsWith("/*");
        String body = rest ? pattern.substring(0, pattern.length() - 2) : pattern;
        List<Segment> segments = new ArrayList<>();
        if (!body.isEmpty() && !body.equals("/")) {
            for (String s : body.substring(1).split("/", -1)) {
                if (s.isEmpty() || s.contains("*")) {
                    throw new IllegalArgumentException("bad segment '" + s + "' in route pattern " + pattern);
                }
                boolean capture = s.startsWith("{") && s.endsWith("}");
                segments.add(capture ? new Segment(null, s.substring(1, s.length() - 1)) : new Segment(s, null));
            }
        }
        return new Route(pattern, dialect, kind, handler, guard, segments.toArray(new Segment[0]), rest, limited);
    }

    private static Match match(Route route, String path) {
        Segment[] segments = route.segments();
        String[] values = null;
        int pos = 0;
        for (int i = 0, capture = 0; i < segments.length; i++) {
            if (pos >= path.length() || path.charAt(pos) != '/') {
                return null;
            }
            int end = path.indexOf('/', pos + 1);
            if (end < 0) {
                end = path.length();
            }
            Segment s = segments[i];
            if (s.name() == null) {
                if (end - pos - 1 != s.literal().length() || !path.startsWith(s.literal(), pos + 1)) {
                    return null;
                }
            } else {
                if (end == pos + 1) {
                    return null;
                }
                if (values == null) {
                    values = new String[segments.length];
                }
                values[capture++] = path.substring(pos + 1, end);
            }
            pos = end;
        }
        if (route.rest()) {
            return new Match(route, path, values, path.substring(pos));
        }
        boolean whole = pos == path.length() || segments.length == 0 && path.equals("/");
        return whole ? new Match(route, path, values, "") : null;
    }
}
