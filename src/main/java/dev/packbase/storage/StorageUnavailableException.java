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
}
