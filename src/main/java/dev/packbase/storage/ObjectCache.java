package dev.packbase.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * A bounded local copy of objects read from a remote store, on this node's disk: the hot tarballs and Git
 * packs are read from a file (positional reads, sendfile-style transfers, maps) instead of crossing the
 * network again. An entry is named by the object's key and ETag, so a replaced object is a new entry and a
 * copy is never stale. Least recently used entries are removed once the total passes the bound; an open
 * handle keeps reading its (unlinked) file. An object larger than the whole bound is read into a private
 * file that disappears with its handle.
 */
final class ObjectCache {
    private static final Logger LOG = Logger.getLogger(ObjectCache.class.getName());

    /** Fetches an object's bytes: called on a miss, with the stream closed by the cache. */
    @FunctionalInterface
    interface Source {
        InputStream open() throws IOException;
    }

    private final Path dir;
    private final long maxBytes;
    /** Entry name → size, in access order. */
    private final LinkedHashMap<String, Long> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long totalBytes;

    ObjectCache(Path dir, long maxBytes) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        Files.createDirectories(dir);
        // Entries from an earlier process are not in the index; start empty rather than guess their use.
        try (var old = Files.list(dir)) {
            for (Path p : old.toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** An open channel on the object's bytes (size {@code size}), from the cache or fetched into it now. */
    FileChannel open(String key, String etag, long size, Source source) throws IOException {
        String name = name(key, etag);
        Path file = dir.resolve(name);
        synchronized (this) {
            if (entries.get(name) != null) {
                try {
                    return FileChannel.open(file, StandardOpenOption.READ);
                } catch (NoSuchFileException e) {
                    forget(name);
                }
            }
        }
        Path temp = dir.resolve("fetch-" + UUID.randomUUID() + ".tmp");
        try {
            try (InputStream in = source.open()) {
                Files.copy(in, temp);
            }
            long fetched = Files.size(temp);
            if (fetched != size) {
                throw new IOException("read " + fetched + " bytes of " + key + ", expected " + size
                        + " (the object changed while it was read)");
            }
            if (size > maxBytes) {
                FileChannel channel = FileChannel.open(temp, StandardOpenOption.READ);
                Files.delete(temp); // the open channel keeps the bytes until the handle closes
                return channel;
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            admit(name, size);
            return channel;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private synchronized void admit(String name, long size) {
        Long before = entries.put(name, size);
        totalBytes += size - (before == null ? 0 : before);
        Iterator<Map.Entry<String, Long>> eldest = entries.entrySet().iterator();
        while (totalBytes > maxBytes && eldest.hasNext()) {
            Map.Entry<String, Long> e = eldest.next();
            if (e.getKey().equals(name)) {
                continue;
            }
            eldest.remove();
            totalBytes -= e.getValue();
            try {
                Files.deleteIfExists(dir.resolve(e.getKey()));
            } catch (IOException ex) {
                LOG.warning(() -> "cannot remove cached object " + e.getKey() + ": " + ex);
            }
        }
    }

    private synchronized void forget(String name) {
        Long size = entries.remove(name);
        totalBytes -= size == null ? 0 : size;
    }

    /** Bytes held now (for tests and the status page). */
    synchronized long bytes() {
        return totalBytes;
    }

    private static String name(String key, String etag) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(etag.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
