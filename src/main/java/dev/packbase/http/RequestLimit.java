package dev.packbase.http;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
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
final class RequestLimit {
    private static final Logger LOG = Logger.getLogger(RequestLimit.class.getName());

    private final Semaphore permits;
    private final int limit;

    RequestLimit(int limit) {
        this.permits = new Semaphore(limit);
        this.limit = limit;
    }

    /** Takes a slot, or returns the busy error to answer; a taken slot is given back with {@link #release}. */
    PackbaseException tryEnter() {
        if (permits.tryAcquire()) {
            return null;
        }
        LOG.fine(() -> "refused a request: " + limit + " already in progress");
        return new PackbaseException(ErrorCode.BUSY, limit
                + " requests are in progress (PACKBASE_MAX_CONCURRENT_REQUESTS); retry shortly",
                Map.of("retry_after", 1), null);
    }

    void release() {
        permits.release();
    }
}
