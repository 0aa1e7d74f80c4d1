package dev.packbase;

/**
 * The stable error codes packbase answers with: each carries its HTTP status and the snake_case name
 * that appears as {@code status} in every JSON error body (CONTRACT §4).
 */
public enum ErrorCode {
    BAD_REQUEST(400),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    CONFLICT(409),
    PAYLOAD_TOO_LARGE(413),
    UNSUPPORTED_MEDIA_TYPE(415),
    RANGE_NOT_SATISFIABLE(416),
    NO_TAGS(422),
    LIMIT_EXCEEDED(422),
    BAD_ARCHIVE(422),
    COOLDOWN(429),
    INTERNAL_ERROR(500),
    UPSTREAM_FAILED(502),
    BUSY(503),
    READ_ONLY(503),
    /** The store (an object-storage engine) is unreachable or failing; the request may be retried. */
    STORAGE_UNAVAILABLE(503);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The name used on the wire, e.g. {@code no_tags}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
