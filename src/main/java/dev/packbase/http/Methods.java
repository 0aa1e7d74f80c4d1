package dev.packbase.http;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;

/** The method check every handler makes: 405 with an {@code Allow} header, in the route's dialect. */
final class Methods {
    static final String READ = "GET, HEAD";
    static final String POST = "POST";

    private Methods() {
    }

    /** Throws the 405 to answer unless the request's method is one of {@code allowed} ("GET, HEAD"). */
    static void require(HttpServletRequest req, HttpServletResponse resp, String allowed) {
        String method = req.getMethod();
        for (String m : allowed.split(", ")) {
            if (m.equals(method)) {
                return;
            }
        }
        resp.setHeader("Allow", allowed);
        throw new PackbaseException(ErrorCode.METHOD_NOT_ALLOWED,
                "method " + method + " is not allowed on " + req.getRequestURI() + "; use " + allowed, Map.of(), null);
    }

    /** The 404 of a path no handler knows. */
    static PackbaseException noRoute(HttpServletRequest req) {
        return PackbaseException.notFound("no such resource: " + req.getRequestURI());
    }
}
