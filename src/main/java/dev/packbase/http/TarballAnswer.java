package dev.packbase.http;

import dev.packbase.http.fastpath.FastPath;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The decision for one GET or HEAD of a tarball: status 200, 206, 304 or 416, the byte range to send and the
 * headers, decided once from If-None-Match, Range and If-Range. Every way of sending the bytes (servlet or
 * launcher fast path; heap copy, sendfile, memory map or stream) renders this record, so they cannot disagree.
 * Zig accepts nothing but a plain 200 (notes/zig-client.md §0), and a request without those headers always
 * gets exactly that.
 */
record TarballAnswer(int status, String etag, long size, long start, long length, String contentRange) {
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String GZIP = "application/gzip";
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    /** Decides the answer for a tarball of {@code size} bytes with this ETag; {@code headers} looks up request headers. */
    static TarballAnswer decide(String etag, long size, Function<String, String> headers) {
        if (matchesAny(headers.apply("If-None-Match"), etag)) {
            return new TarballAnswer(HttpServletResponse.SC_NOT_MODIFIED, etag, size, 0, 0, null);
        }
        String range = headers.apply("Range");
        if (range == null) {
            return new TarballAnswer(HttpServletResponse.SC_OK, etag, size, 0, size, null);
        }
        long[] r = range(range, headers.apply("If-Range"), etag, size);
        if (r == UNSATISFIABLE) {
            return new TarballAnswer(HttpServletResponse.SC_REQUESTED_RANGE_NOT_SATISFIABLE, etag, size, 0, 0, null);
        }
        if (r == null) {
            return new TarballAnswer(HttpServletResponse.SC_OK, etag, size, 0, size, null);
        }
        long length = r[1] - r[0] + 1;
        return new TarballAnswer(HttpServletResponse.SC_PARTIAL_CONTENT, etag, size, r[0], length,
                "bytes " + r[0] + "-" + r[1] + "/" + size);
    }

    /** Whether bytes are sent (200 or 206; the sender still sends none for HEAD). */
    boolean hasBody() {
        return status == HttpServletResponse.SC_OK || status == HttpServletResponse.SC_PARTIAL_CONTENT;
    }

    /**
     * The headers in the order they are sent. Content-Type and -Length are not sent with 304; a 416 is answered
     * as a JSON error that keeps the first four.
     */
    List<FastPath.Header> headers() {
        List<FastPath.Header> common = List.of(new FastPath.Header("ETag", etag),
                new FastPath.Header("Cache-Control", IMMUTABLE), new FastPath.Header("Accept-Ranges", "bytes"),
                new FastPath.Header("X-Content-Type-Options", "nosniff"));
        if (!hasBody()) {
            return common;
        }
        String length = Long.toString(this.length);
        return contentRange == null
                ? List.of(common.get(0), common.get(1), common.get(2), common.get(3),
                        new FastPath.Header("Content-Type", GZIP), new FastPath.Header("Content-Length", length))
                : List.of(common.get(0), common.get(1), common.get(2), common.get(3),
                        new FastPath.Header("Content-Type", GZIP), new FastPath.Header("Content-Range", contentRange),
                        new FastPath.Header("Content-Length", length));
    }

    /** {@link #range}'s answer for a range outside the tarball: 416. */
    private static final long[] UNSATISFIABLE = new long[0];

    /**
     * A single satisfiable byte range, honouring If-Range; null means "send everything", {@link #UNSATISFIABLE}
     * a 416.
     */
    private static long[] range(String header, String ifRange, String etag, long size) {
        if (ifRange != null && !ifRange.trim().equals(etag)) {
            return null;
        }
        Matcher m = RANGE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return null; // multiple or malformed ranges: a full 200 is always allowed
        }
        long start;
        long end;
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                start = Math.max(0, size - suffix);
                end = size - 1;
                if (suffix == 0) {
                    return UNSATISFIABLE;
                }
            } else {
                start = Long.parseLong(m.group(1));
                end = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
                if (m.group(2).length() > 0 && Long.parseLong(m.group(2)) < start) {
                    return null;
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        if (start >= size) {
            return UNSATISFIABLE;
        }
        return new long[] {start, end};
    }

    private static boolean matchesAny(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) {
                c = c.substring(2);
            }
            if (c.equals("*") || c.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
