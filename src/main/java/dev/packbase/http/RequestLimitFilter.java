package dev.packbase.http;

import dev.packbase.ErrorCode;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;

/**
 * Bounds the requests packbase works on at once ({@code PACKBASE_MAX_CONCURRENT_REQUESTS}). Past the
 * bound a request is answered at once with 503 {@code busy} and {@code Retry-After}, instead of
 * waiting in the container's queue while latency grows without limit: clients such as CI retry, and
 * the requests already admitted keep their speed. The bound only helps while it is below the
 * container's own thread pool, since answering 503 needs a thread too (the standalone launcher's pool
 * is larger than the default bound; see DESIGN.md).
 */
final class RequestLimitFilter implements Filter {
    private static final Logger LOG = Logger.getLogger(RequestLimitFilter.class.getName());

    private final Semaphore permits;
    private final int limit;
    private final ErrorResponses errors;

    RequestLimitFilter(int limit, ErrorResponses errors) {
        this.permits = new Semaphore(limit);
        this.limit = limit;
        this.errors = errors;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!permits.tryAcquire()) {
            LOG.fine(() -> "refused a request: " + limit + " already in progress");
            errors.send((HttpServletResponse) response, ErrorCode.BUSY, limit
                    + " requests are in progress (PACKBASE_MAX_CONCURRENT_REQUESTS); retry shortly",
                    Map.of("retry_after", 1));
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            permits.release();
        }
    }
}
