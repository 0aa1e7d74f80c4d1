package dev.packbase.storage;

import java.io.IOException;

/**
 * The store did not answer in time or answered that it cannot serve now (an object store unreachable, slow,
 * or returning 5xx). Unlike other I/O failures it says nothing about the data, and it passes: the HTTP edge
 * answers {@code 503} with {@code Retry-After}, and the next request tries again.
 */
public final class StorageUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The unavailable store among {@code failure}'s causes, if any: layers wrap I/O failures in their own. */
    public static java.util.Optional<StorageUnavailableException> in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StorageUnavailableException unavailable) {
                return java.util.Optional.of(unavailable);
            }
        }
        return java.util.Optional.empty();
    }
}
