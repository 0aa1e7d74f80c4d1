package dev.packbase.web;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Each package's one-line description for the index: the first paragraph of its latest tarball's README,
 * known by the tarball's sha256 (so it never goes stale). Derived data like Git packs: computed from the
 * tarballs in the background, kept in one stored object ({@link StorageKeys#WEB_SUMMARIES}) so that a new
 * node reads one object instead of every README, and rewritten whole by whichever node computed last.
 */
final class Summaries {
    private static final Logger LOG = Logger.getLogger(Summaries.class.getName());
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {
    };

    /** A tarball whose summary may be missing. */
    record Target(String key, String sha256) {
    }

    private final Storage storage;
    private final ObjectMapper json;
    private final ReadmeSource readmes;
    private final Map<String, String> bySha256 = new ConcurrentHashMap<>();
    private final AtomicBoolean filling = new AtomicBoolean();
    private ExecutorService worker;

    Summaries(Storage storage, ObjectMapper json, ReadmeSource readmes) {
        this.storage = storage;
        this.json = json;
        this.readmes = readmes;
    }

    /** Reads the stored summaries. */
    void load() {
        try {
            Optional<Storage.Versioned> stored = storage.readVersioned(StorageKeys.WEB_SUMMARIES);
            if (stored.isPresent()) {
                bySha256.putAll(json.readValue(stored.get().bytes(), MAP));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "ignoring unreadable " + StorageKeys.WEB_SUMMARIES + ": " + e.getMessage());
        }
    }

    /** The summary of a tarball, if it is known yet ({@code ""} when its README has none). */
    Optional<String> known(String sha256) {
        return Optional.ofNullable(bySha256.get(sha256));
    }

    /** Remembers a summary computed elsewhere (a package page reads the README anyway). */
    void put(String sha256, String summary) {
        bySha256.put(sha256, summary);
    }

    int size() {
        return bySha256.size();
    }

    /**
     * Computes the missing ones of {@code targets} in the background, one run at a time, then stores them;
     * a call during a run is dropped (the next one sees what is still missing).
     */
    void fill(List<Target> targets) {
        if (targets.stream().allMatch(t -> bySha256.containsKey(t.sha256())) || !filling.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            if (worker == null) {
                worker = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "packbase-web-summaries");
                    t.setDaemon(true);
                    return t;
                });
            }
        }
        worker.execute(() -> {
            int added = 0;
            try {
                for (Target t : targets) {
                    if (!bySha256.containsKey(t.sha256())) {
                        try {
                            bySha256.put(t.sha256(), readmes.summary(t.key(), t.sha256()));
                            added++;
                        } catch (IOException | RuntimeException e) {
                            LOG.fine(() -> "no summary for " + t.key() + ": " + e.getMessage());
                        }
                    }
                }
                if (added > 0 && storage.writable()) {
                    store();
                }
            } finally {
                filling.set(false);
            }
        });
    }

    private void store() {
        try {
            Map<String, String> sorted = new TreeMap<>(bySha256);
            storage.replace(StorageKeys.WEB_SUMMARIES, out -> json.writeValue(out, sorted));
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "cannot store " + StorageKeys.WEB_SUMMARIES + ": " + e.getMessage());
        }
    }

    void close() {
        synchronized (this) {
            if (worker != null) {
                worker.shutdownNow();
            }
        }
    }
}
