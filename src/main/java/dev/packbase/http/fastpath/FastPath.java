package dev.packbase.http.fastpath;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Function;

/**
 * The contract between the webapp and the standalone launcher's tarball fast path (jetty-runner's
 * {@code TarballFastPathHandler}), published as the servlet-context attribute {@link #ATTRIBUTE}: the launcher
 * asks for the answer to a GET or HEAD before the servlet machinery runs, and sends it with Jetty's core API.
 *
 * <p>Why a package of its own: the launcher and the webapp have different class loaders, and a type both can use
 * must come from one of them. The build copies this package to the WAR root, beside the launcher's classes, and
 * the launcher makes Jetty load it parent-first (a protected package), so both sides see the launcher's copy. In a
 * servlet container the copy in {@code WEB-INF/classes} is used and nothing reads the attribute. Hence JDK types
 * only in here, and nothing of the webapp.
 */
public interface FastPath {
    /** The servlet-context attribute holding the webapp's {@link FastPath}. */
    String ATTRIBUTE = FastPath.class.getName();

    /**
     * The request attribute naming the route kind the webapp answered a request under ({@code tarball},
     * {@code git-smart}, …, a {@code String}), which the launcher's JSON access log writes.
     */
    String ROUTE_ATTRIBUTE = "dev.packbase.route";

    /** The response header carrying the request's id, on every answer of the webapp and of the fast path. */
    String REQUEST_ID_HEADER = "X-Request-Id";

    /**
     * The complete answer to {@code request}, or null when the webapp has to answer it (anything but a GET or
     * HEAD of a tarball it holds in memory, and every error).
     */
    Answer answer(Request request);

    /**
     * A request as the launcher sees it: the method, the decoded path within the context, a lookup of
     * request headers by name (null when absent), and the address of the peer that sent it.
     */
    record Request(String method, String path, Function<String, String> headers, String remoteAddress) {
    }

    /**
     * Status, headers in the order to send them, the body (null for HEAD and 304), and the route kind to log
     * (the value of {@link #ROUTE_ATTRIBUTE}; null until the webapp's fast path names it).
     */
    record Answer(int status, List<Header> headers, ByteBuffer body, String route) {
    }

    /** One response header. */
    record Header(String name, String value) {
    }
}
