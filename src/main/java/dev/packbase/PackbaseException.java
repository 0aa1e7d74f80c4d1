package dev.packbase;

import java.util.Map;

/**
 * The one error type of packbase: an {@link ErrorCode}, a public message naming the offending value,
 * and optional extra JSON fields (for example {@code package}). Only {@code http.ErrorResponses}
 * turns it into an HTTP answer; the Git endpoints translate it into Git's own terms.
 */
public final class PackbaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final transient Map<String, Object> details;

    public PackbaseException(ErrorCode code, String message) {
        this(code, message, Map.of(), null);
    }

    public PackbaseException(ErrorCode code, String message, Throwable cause) {
        this(code, message, Map.of(), cause);
    }

    public PackbaseException(ErrorCode code, String message, Map<String, Object> details, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public ErrorCode code() {
        return code;
    }

    /** Extra fields for the JSON body besides {@code status} and {@code message}. */
    public Map<String, Object> details() {
        return details;
    }

    public static PackbaseException badRequest(String message) {
        return new PackbaseException(ErrorCode.BAD_REQUEST, message);
    }

    public static PackbaseException notFound(String message) {
        return new PackbaseException(ErrorCode.NOT_FOUND, message);
    }
}
