package dev.packbase.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * Every read and write of tarballs, manifests and state goes through this interface. It assumes no
 * more than an object store offers (atomic create-if-absent, atomic replace, read, list, delete), so
 * an S3-compatible backend can implement it later. Keys are relative, '/'-separated paths such as
 * {@code p/hello/tag/v0.1.0.tar.gz}; see {@link StorageKeys}.
 */
public interface Storage {

    /** Produces an object's content; called once, with a stream that the store commits afterwards. */
    @FunctionalInterface
    interface ContentWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Size and modification time of a stored object. */
    record ObjectInfo(String key, long size, long lastModifiedMillis) {
    }

    /**
     * Writes a new object unless the key already exists. The content becomes visible complete or not
     * at all. Returns false (and discards what was written) when the key was already taken.
     */
    boolean createIfAbsent(String key, ContentWriter writer) throws IOException;

    /** Atomically replaces (or creates) an object: readers see the old or the new content, never a mix. */
    void replace(String key, ContentWriter writer) throws IOException;

    Optional<ObjectInfo> stat(String key) throws IOException;

    /**
     * The object's file on the local filesystem, for a container's zero-copy send (sendfile); empty for a
     * store without local files. The caller must treat the file as read-only.
     */
    default Optional<java.nio.file.Path> localFile(String key) {
        return Optional.empty();
    }

    /** Opens an object for streaming; throws {@link java.nio.file.NoSuchFileException} if it is absent. */
    InputStream open(String key) throws IOException;

    /** Keys that start with {@code prefix} (a directory-like prefix ending in '/'), sorted. */
    List<String> list(String prefix) throws IOException;

    boolean delete(String key) throws IOException;

    /** False for a read-only root (an edge node): every write method then throws. */
    boolean writable();

    /** A human-readable description for logs, e.g. the absolute root path. */
    String describe();
}
