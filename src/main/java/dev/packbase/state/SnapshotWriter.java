package dev.packbase.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import dev.packbase.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.SortedSet;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the contract's {@code .packbase/package-info.json} in step with the per-package info entries, off the
 * request path: changes are coalesced and the whole file is written at most once per {@link #DELAY}, by one
 * background thread ({@link #start}), or at once by {@link #flush} (an update run's end, close).
 *
 * <p>Crash safety: before a change writes its entry, a marker object ({@link StorageKeys#SNAPSHOT_PENDING})
 * exists; it is deleted only after a snapshot was written that includes every finished change and no change is
 * in flight. A marker found at load means the file may be behind its entries, and it is rewritten.
 */
final class SnapshotWriter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SnapshotWriter.class.getName());
    /** Longest time a change waits before the snapshot file shows it (and before an edge can notice). */
    static final Duration DELAY = Duration.ofSeconds(2);

    private final Storage storage;
    private final ObjectMapper json;
    /** The names of the packages with an entry, sorted. */
    private final Supplier<SortedSet<String>> entries;
    private final Object lock = new Object();
    private final Object writeLock = new Object();
    private long changes;
    private long written;
    private int inFlight;
    private boolean markerPresent;
    private boolean closed;
    private Thread thread;

    SnapshotWriter(Storage storage, ObjectMapper json, Supplier<SortedSet<String>> entries) {
        this.storage = storage;
        this.json = json;
        this.entries = entries;
    }

    /** A change of entries in progress: {@link #close} it once the entry is written and visible in memory. */
    interface Change extends AutoCloseable {
        @Override
        void close();
    }

    /** Called before an entry is written: makes sure the marker exists until a snapshot includes the change. */
    Change begin() throws IOException {
        synchronized (lock) {
            if (!markerPresent) {
                storage.replace(StorageKeys.SNAPSHOT_PENDING, out -> out.write('\n'));
                markerPresent = true;
            }
            inFlight++;
        }
        return () -> {
            synchronized (lock) {
                inFlight--;
                changes++;
                lock.notifyAll();
            }
        };
    }

    /** At load: the marker of an earlier run means its last changes may be missing from the file. */
    void recoverIfPending() throws IOException {
        if (storage.stat(StorageKeys.SNAPSHOT_PENDING).isPresent()) {
            synchronized (lock) {
                markerPresent = true;
                changes++;
            }
            LOG.info("the info snapshot may be behind the package entries: it is rewritten");
        }
    }

    /** Starts the background thread that writes the snapshot after changes. */
    void start() {
        synchronized (lock) {
            if (thread != null || closed) {
                return;
            }
            thread = new Thread(this::run, "packbase-snapshot-writer");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void run() {
        try {
            while (true) {
                synchronized (lock) {
                    while (!closed && changes == written) {
                        lock.wait();
                    }
                    if (closed) {
                        return;
                    }
                    // Let the changes of a burst (an ingest's entries, a few concurrent fetches) gather.
                    long deadline = System.nanoTime() + DELAY.toNanos();
                    for (long left = DELAY.toNanos(); left > 0 && !closed; left = deadline - System.nanoTime()) {
                        TimeUnit.NANOSECONDS.timedWait(lock, left);
                    }
                    if (closed) {
                        return;
                    }
                }
                writeIfChanged();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes the snapshot now if any change is not in it yet. */
    void flush() throws IOException {
        writeIfChanged();
    }

    private void writeIfChanged() {
        synchronized (writeLock) { // one writer at a time, so an older view never replaces a newer one
            write();
        }
    }

    private void write() {
        long upTo;
        synchronized (lock) {
            if (changes == written || !storage.writable()) {
                return;
            }
            upTo = changes;
        }
        try {
            SortedSet<String> names = entries.get();
            storage.replace(StorageKeys.INFO_SNAPSHOT, out -> writeSnapshot(out, names));
            synchronized (lock) {
                written = Math.max(written, upTo);
                if (written == changes && inFlight == 0 && markerPresent) {
                    storage.delete(StorageKeys.SNAPSHOT_PENDING);
                    markerPresent = false;
                }
            }
        } catch (IOException | RuntimeException e) {
            // The marker stays: the next change or the next start writes the file again.
            LOG.log(Level.WARNING, "cannot write " + StorageKeys.INFO_SNAPSHOT, e);
            synchronized (lock) {
                written = upTo; // retried on the next change, not in a tight loop
            }
        }
    }

    /**
     * {@code {"format":1,"generated_at":…,"packages":{"<name>":<entry>,…}}}, each entry copied as stored: the
     * file is as large as all entries together, and holding them parsed would take more memory than every
     * other part of the state.
     */
    private void writeSnapshot(OutputStream out, SortedSet<String> names) throws IOException {
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeNumberField("format", 1);
            g.writeNumberField("generated_at", System.currentTimeMillis() / 1000);
            g.writeObjectFieldStart("packages");
            for (String name : names) {
                Optional<StoredObject> entry = storage.read(StorageKeys.packageInfo(name));
                if (entry.isEmpty()) {
                    continue; // deleted since the names were taken
                }
                try (StoredObject o = entry.get(); InputStream in = o.stream()) {
                    g.writeFieldName(name);
                    g.writeRawValue(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
                }
            }
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    /** Stops the thread and writes what is pending. */
    @Override
    public void close() {
        Thread t;
        synchronized (lock) {
            closed = true;
            t = thread;
            lock.notifyAll();
        }
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        writeIfChanged();
    }
}
