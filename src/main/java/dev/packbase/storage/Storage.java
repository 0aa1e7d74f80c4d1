package dev.packbase.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * Every read and write of tarballs, manifests and state goes through this interface. It assumes no
 * more than an object store offers (atomic create-if-absent, atomic replace, read, list, delete), so
 * {@link S3Storage} implements it on an S3-compatible engine. Keys are relative, '/'-separated paths such as
 * {@code p/hello/tag/v0.1.0.tar.gz}; see {@link StorageKeys}. Keys are storage names, not URLs:
 * public URLs are built by {@code domain.PublicPaths}, and may differ from the keys.
 *
 * <p>Three backends: {@link FileStorage} (a directory, the default), {@link S3Storage} (a bucket on an
 * S3-compatible engine) and {@link MemoryStorage} (the unit tests). Nothing outside this package and the
 * composition root knows which one it has.
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
     * A small object's bytes and the version {@link #replaceIf} compares against: an object store's ETag, or
     * a digest of the bytes. Versions are opaque; equal versions mean equal content.
     */
    record Versioned(byte[] bytes, String version) {
    }

    /**
     * Writes a new object unless the key already exists. The content becomes visible complete or not
     * at all. Returns false (and discards what was written) when the key was already taken.
     */
    boolean createIfAbsent(String key, ContentWriter writer) throws IOException;

    /** Atomically replaces (or creates) an object: readers see the old or the new content, never a mix. */
    void replace(String key, ContentWriter writer) throws IOException;

    /**
     * Replaces an object only if it is still at {@code version} ({@code null}: only if it is absent), in one
     * step: optimistic concurrency for state that several writers update (an object store's {@code If-Match}).
     * False when another writer got there first, and nothing was written; the caller reads again and retries.
     */
    boolean replaceIf(String key, String version, ContentWriter writer) throws IOException;

    /** A small object's bytes with its version, for a read-modify-{@link #replaceIf}; empty if it is absent. */
    Optional<Versioned> readVersioned(String key) throws IOException;

    Optional<ObjectInfo> stat(String key) throws IOException;

    /**
     * Opens an object for reading its bytes in place (sizes, positional reads, channel transfers, a
     * read-only buffer view): see {@link StoredObject}. Empty if the key does not exist.
     */
    Optional<StoredObject> read(String key) throws IOException;

    /** Opens an object for streaming; throws {@link java.nio.file.NoSuchFileException} if it is absent. */
    InputStream open(String key) throws IOException;

    /** Keys that start with {@code prefix} (a directory-like prefix ending in '/'), sorted. */
    List<String> list(String prefix) throws IOException;

    /**
     * The names one level below {@code prefix} (ending in '/'), sorted: objects directly under it and
     * deeper prefixes, each without the prefix and without a trailing '/' (an object store's listing
     * with a '/' delimiter). Cheaper than {@link #list} where only names are needed: no per-object
     * metadata is read.
     */
    List<String> names(String prefix) throws IOException;

    boolean delete(String key) throws IOException;

    /** Deletes every object under {@code prefix} (ending in '/'); returns how many there were. */
    default int deleteAll(String prefix) throws IOException {
        List<String> keys = list(prefix);
        for (String key : keys) {
            delete(key);
        }
        return keys.size();
    }

    /**
     * A URL from which a client may GET the object's bytes directly for {@code validFor}, signed by the store
     * (an object store's presigned URL); empty for a store that has none (files, memory).
     */
    default Optional<java.net.URI> presignedGet(String key, java.time.Duration validFor) throws IOException {
        return Optional.empty();
    }

    /** False for a read-only root (an edge node): every write method then throws. */
    boolean writable();

    /** A human-readable description for logs, e.g. the absolute root path. */
    String describe();
}
