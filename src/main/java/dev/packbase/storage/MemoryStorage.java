package dev.packbase.storage;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Storage} in the heap: a sorted map from key to bytes. It is what the fast unit tests run on,
 * and it has an object store's semantics rather than a filesystem's (no directories, a write becomes
 * visible whole when its writer returns), so code that works on it assumes nothing about files. Its
 * {@link StoredObject}s are views of the stored arrays, which are never changed once stored.
 */
public final class MemoryStorage implements Storage {
    private final ConcurrentSkipListMap<String, Blob> objects;
    private final AtomicLong clock;
    private final boolean writable;

    /** The bytes of one object and the time they were stored. */
    private record Blob(byte[] bytes, long modified) {
    }

    public MemoryStorage() {
        this(new ConcurrentSkipListMap<>(), new AtomicLong(), true);
    }

    private MemoryStorage(ConcurrentSkipListMap<String, Blob> objects, AtomicLong clock, boolean writable) {
        this.objects = objects;
        this.clock = clock;
        this.writable = writable;
    }

    /** A read-only view of the same objects, as an edge node sees a root that a central node writes. */
    public MemoryStorage readOnlyView() {
        return new MemoryStorage(objects, clock, false);
    }

    /**
     * Modification times strictly increase, even within a millisecond: readers that detect a change by
     * an object's time (the edge's reload) never miss one.
     */
    private long now() {
        return clock.updateAndGet(last -> Math.max(last + 1, System.currentTimeMillis()));
    }

    private byte[] write(ContentWriter writer) throws IOException {
        requireWritable();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.writeTo(out);
        return out.toByteArray();
    }

    @Override
    public boolean createIfAbsent(String key, ContentWriter writer) throws IOException {
        StorageKeys.checked(key);
        if (objects.containsKey(key)) {
            return false;
        }
        byte[] bytes = write(writer);
        return objects.putIfAbsent(key, new Blob(bytes, now())) == null;
    }

    @Override
    public void replace(String key, ContentWriter writer) throws IOException {
        StorageKeys.checked(key);
        byte[] bytes = write(writer);
        objects.put(key, new Blob(bytes, now()));
    }

    /** The version is the object's time, which strictly increases: one per write. */
    @Override
    public boolean replaceIf(String key, String version, ContentWriter writer) throws IOException {
        StorageKeys.checked(key);
        Blob current = objects.get(key);
        if (current == null ? version != null : !String.valueOf(current.modified()).equals(version)) {
            return false;
        }
        Blob next = new Blob(write(writer), now());
        return current == null ? objects.putIfAbsent(key, next) == null : objects.replace(key, current, next);
    }

    @Override
    public Optional<Versioned> readVersioned(String key) {
        Blob b = objects.get(StorageKeys.checked(key));
        return b == null ? Optional.empty() : Optional.of(new Versioned(b.bytes().clone(), String.valueOf(b.modified())));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        Blob b = objects.get(StorageKeys.checked(key));
        return b == null ? Optional.empty() : Optional.of(new ObjectInfo(key, b.bytes().length, b.modified()));
    }

    @Override
    public Optional<StoredObject> read(String key) {
        Blob b = objects.get(StorageKeys.checked(key));
        return b == null ? Optional.empty() : Optional.of(new BytesObject(key, b));
    }

    @Override
    public InputStream open(String key) throws IOException {
        Blob b = objects.get(StorageKeys.checked(key));
        if (b == null) {
            throw new NoSuchFileException(key);
        }
        return new ByteArrayInputStream(b.bytes());
    }

    @Override
    public List<String> list(String prefix) {
        requirePrefix(prefix);
        return List.copyOf(under(prefix).keySet());
    }

    @Override
    public List<String> names(String prefix) {
        requirePrefix(prefix);
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (String key : under(prefix).keySet()) {
            int slash = key.indexOf('/', prefix.length());
            names.add(key.substring(prefix.length(), slash < 0 ? key.length() : slash));
        }
        return List.copyOf(names);
    }

    @Override
    public boolean delete(String key) {
        requireWritable();
        return objects.remove(StorageKeys.checked(key)) != null;
    }

    @Override
    public boolean writable() {
        return writable;
    }

    @Override
    public String describe() {
        return "memory (" + objects.size() + " objects)" + (writable ? "" : " (read-only)");
    }

    /** The keys starting with {@code prefix}: a sorted map's range up to the prefix's last character + 1. */
    private Map<String, Blob> under(String prefix) {
        String end = prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
        return objects.subMap(prefix, end);
    }

    private static void requirePrefix(String prefix) {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix must end with '/': " + prefix);
        }
        StorageKeys.checked(prefix.substring(0, prefix.length() - 1));
    }

    private void requireWritable() {
        if (!writable) {
            throw new PackbaseException(ErrorCode.READ_ONLY, "this packbase node serves a read-only root (memory)");
        }
    }

    /** One stored array as a {@link StoredObject}: every view reads the array itself, nothing is copied. */
    private static final class BytesObject implements StoredObject {
        private final String key;
        private final Blob blob;

        BytesObject(String key, Blob blob) {
            this.key = key;
            this.blob = blob;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public long size() {
            return blob.bytes().length;
        }

        @Override
        public long lastModifiedMillis() {
            return blob.modified();
        }

        @Override
        public InputStream stream() {
            return new ByteArrayInputStream(blob.bytes());
        }

        @Override
        public int read(ByteBuffer dst, long position) {
            byte[] bytes = blob.bytes();
            if (position >= bytes.length) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), bytes.length - position);
            dst.put(bytes, (int) position, n);
            return n;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            byte[] bytes = blob.bytes();
            if (position >= bytes.length) {
                return 0;
            }
            ByteBuffer view = ByteBuffer.wrap(bytes, (int) position, (int) Math.min(count, bytes.length - position));
            long written = 0;
            while (view.hasRemaining()) {
                written += target.write(view);
            }
            return written;
        }

        @Override
        public ByteBuffer map() {
            return ByteBuffer.wrap(blob.bytes()).asReadOnlyBuffer();
        }

        @Override
        public void close() {
            // nothing is held open
        }
    }
}
