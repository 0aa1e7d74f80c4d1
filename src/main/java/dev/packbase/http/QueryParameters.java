package dev.packbase.http;

import dev.packbase.PackbaseException;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Reads query parameters. Containers decode the query string lazily, on the first
 * {@code getParameter}, and Jetty then throws its own exception for an escape that is not UTF-8
 * ({@code ?service=git-upload-pack%95}); that is the client's mistake, so it becomes a 400 here
 * instead of escaping as a 500 (HttpRequestFuzzTest found it).
 */
final class QueryParameters {
    private QueryParameters() {
    }

    static String get(HttpServletRequest req, String name) {
        try {
            return req.getParameter(name);
        } catch (RuntimeException e) {
            throw PackbaseException.badRequest("malformed query string: " + e.getMessage());
        }
    }
}
