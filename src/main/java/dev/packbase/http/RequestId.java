package dev.packbase.http;

import dev.packbase.http.fastpath.FastPath;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/**
 * The id of one request: sent back as {@code X-Request-Id}, written into JSON error bodies ({@code request_id})
 * and the standalone launcher's JSON access log, and readable by any code that has the request ({@link #of}).
 * {@link RequestIds} decides it when the request arrives.
 */
public record RequestId(String value) {
    /** The request and response header. */
    public static final String HEADER = FastPath.REQUEST_ID_HEADER;
    /** The request attribute holding it. */
    static final String ATTRIBUTE = RequestId.class.getName();

    /** The id packbase gave {@code req}; empty only for a request that never reached packbase's servlet. */
    public static Optional<RequestId> of(HttpServletRequest req) {
        return req.getAttribute(ATTRIBUTE) instanceof RequestId id ? Optional.of(id) : Optional.empty();
    }
}
