package dev.packbase.http;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-memory copies of small tarballs for {@link TarballServlet}, bounded by their total size
 * ({@code PACKBASE_TARBALL_CACHE_BYTES}) and by a per-file limit ({@link #MAX_FILE_BYTES}).
 * A stored tarball is written once and never rewritten (CONTRACT §4), and an entry is only used when its
 * sha256 equals the one the registry holds for the tag, so an entry can never be stale: there is no
 * invalidation, only eviction to stay within the bound.
 *
 * <p>Lookups take no lock (a {@link ConcurrentHashMap} read and one volatile write). Inserts are rare (one
 * per tarball that is read from storage) and take the cache's lock, so the byte count can never overshoot
 * the bound, even for a moment. Eviction is CLOCK (second chance): an entry used since the hand last passed
 * it survives one more pass. That keeps the hot tarballs of a registry that does not fit, at no per-hit cost.
 */
final class TarballCache {

    /**
     * Largest tarball the download cache keeps. Fixed, not a setting: above it a tarball is streamed from
     * storage (sendfile where the container has it), where the copy is a small part of the cost, and the total
     * that operators do size is PACKBASE_TARBALL_CACHE_BYTES.
     */
    static final long MAX_FILE_BYTES = 1 << 20;

    /**
     * One cached tarball and the ETag sent with it: its bytes on the heap ({@code body}), or a read-only
     * memory map of its file ({@code mapped}, {@code body} null) for the large ones the servlet streams.
     */
    static final class Entry {
        final String sha256;
        final String etag;
        final byte[] body;
        final ByteBuffer mapped;
        final int size;
        volatile boolean used;

        Entry(String sha256, byte[] body) {
            this(sha256, body, null, body.length);
        }

        Entry(String sha256, ByteBuffer mapped) {
            this(sha256, null, mapped.asReadOnlyBuffer(), mapped.remaining());
        }

        private Entry(String sha256, byte[] body, ByteBuffer mapped, int size) {
            this.sha256 = sha256;
            this.etag = "\"" + sha256 + "\"";
            this.body = body;
            this.mapped = mapped;
            this.size = size;
        }

        /** {@code length} bytes from {@code start}, as a buffer of its own (the position is per request). */
        ByteBuffer slice(long start, long length) {
            ByteBuffer whole = mapped != null ? mapped.duplicate() : ByteBuffer.wrap(body).asReadOnlyBuffer();
            return whole.position((int) start).limit((int) (start + length)).slice();
        }
    }

    private final long maxBytes;
    private final long maxFileBytes;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    /** Guarded by {@code this}: bytes held by {@link #entries}, and the CLOCK hand. */
    private long bytes;
    private Iterator<Map.Entry<String, Entry>> hand;

    /**
     * @param maxBytes     most bytes of tarballs held at once; 0 disables the cache
     * @param maxFileBytes tarballs larger than this are never cached (they are streamed, where the copy
     *                     is a small part of the cost)
     */
    TarballCache(long maxBytes, long maxFileBytes) {
        this.maxBytes = Math.max(0, maxBytes);
        this.maxFileBytes = Math.min(Math.max(0, maxFileBytes), Math.min(this.maxBytes, Integer.MAX_VALUE - 8));
    }

    /** Whether a tarball of this size would be cached. */
    boolean accepts(long size) {
        return size <= maxFileBytes && maxBytes > 0;
    }

    /** The cached tarball stored under {@code key}, if it is the one with this sha256. */
    Entry get(String key, String sha256) {
        Entry e = entries.get(key);
        if (e == null || !e.sha256.equals(sha256)) {
            return null;
        }
        if (!e.used) {
            e.used = true;
        }
        return e;
    }

    /**
     * Caches {@code body} as the tarball under {@code key} with this sha256, evicting others as needed, and
     * returns the entry to serve (the one already cached if another thread was first).
     */
    synchronized Entry put(String key, String sha256, byte[] body) {
        return put(key, new Entry(sha256, body));
    }

    /** {@link #put(String, String, byte[])} for a memory-mapped tarball. */
    synchronized Entry put(String key, String sha256, ByteBuffer mapped) {
        return put(key, new Entry(sha256, mapped));
    }

    private Entry put(String key, Entry fresh) {
        if (!accepts(fresh.size)) {
            return fresh;
        }
        Entry old = entries.get(key);
        if (old != null && old.sha256.equals(fresh.sha256)) {
            return old;
        }
        if (old != null) {
            remove(key, old); // the same key with another sha256: the tag was deleted and ingested again
        }
        while (bytes + fresh.size > maxBytes && evictOne()) {
            // evictOne removed an entry
        }
        entries.put(key, fresh);
        bytes += fresh.size;
        return fresh;
    }

    /** Removes one entry by CLOCK; false when there is nothing left to remove. Called with the lock held. */
    private boolean evictOne() {
        if (entries.isEmpty()) {
            return false;
        }
        // Two passes at most: the first may only clear "used" flags.
        for (int pass = 0; pass < 2 * entries.size() + 1; pass++) {
            if (hand == null || !hand.hasNext()) {
                hand = entries.entrySet().iterator();
                if (!hand.hasNext()) {
                    return false;
                }
            }
            Map.Entry<String, Entry> candidate = hand.next();
            Entry e = candidate.getValue();
            if (e.used) {
                e.used = false;
            } else {
                remove(candidate.getKey(), e);
                return true;
            }
        }
        // Unreachable in practice (every flag was cleared on the first pass); remove anything to progress.
        Map.Entry<String, Entry> any = entries.entrySet().iterator().next();
        remove(any.getKey(), any.getValue());
        return true;
    }

    private void remove(String key, Entry e) {
        if (entries.remove(key, e)) {
            bytes -= e.size;
        }
    }

    /** Bytes of tarballs held now. */
    synchronized long bytes() {
        return bytes;
    }

    int size() {
        return entries.size();
    }

    long maxBytes() {
        return maxBytes;
    }
}
