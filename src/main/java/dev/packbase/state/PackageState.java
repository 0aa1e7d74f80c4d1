package dev.packbase.state;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.packbase.domain.PackageInfo;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.SourceCatalog;
import dev.packbase.domain.TagManifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The registry's state: package records, per-tag manifests and the persisted info snapshot, read
 * from and written through {@link Storage}. Package records are held in memory so that serving a
 * tarball or answering the API never touches more than the tarball itself. One instance per
 * running packbase (owned by the composition root). Every change bumps a generation number, so that
 * views derived from the whole state (the name lists, the health count) are computed once per change
 * rather than once per request.
 */
public final class PackageState {
    private static final Logger LOG = Logger.getLogger(PackageState.class.getName());

    private final Storage storage;
    private final ObjectMapper json;
    private final Map<String, PackageRecord> packages = new ConcurrentHashMap<>();
    /** Zig package hash (both forms) → package and tag, for GET /h/<hash>.tar.gz. */
    private final Map<String, TagRef> byZigHash = new ConcurrentHashMap<>();

    /** A tag of a package. */
    public record TagRef(String packageName, String tag) {
    }
    /** The snapshot's entries; still being read in the background right after a {@link #load}. */
    private volatile CompletableFuture<SortedMap<String, PackageInfo>> infos =
            CompletableFuture.completedFuture(Collections.emptySortedMap());
    private volatile SourceCatalog catalog = SourceCatalog.empty();
    private volatile Set<String> registeredNames = Set.of();
    private final Object snapshotLock = new Object();
    private final AtomicLong generation = new AtomicLong();
    private volatile Summary summary;

    /**
     * The whole-registry view that /api/list and /api/status answer from, valid for one generation.
     *
     * @param all     local and registered names, sorted
     * @param healthy how many of {@code all} have a healthy snapshot entry
     */
    public record Summary(long generation, List<String> local, List<String> registered, List<String> all, int healthy) {
    }

    /** The on-disk form of {@code .packbase/package-info.json}. */
    public record InfoSnapshot(int format, long generatedAt, SortedMap<String, PackageInfo> packages) {
    }

    public PackageState(Storage storage, ObjectMapper json) {
        this.storage = storage;
        this.json = json;
    }

    public Storage storage() {
        return storage;
    }

    /**
     * Reads every package record, then the info snapshot in the background: callers can go on with
     * what needs only records (the derived-Git check at startup) while it is read, and every reader of
     * the snapshot waits for it. The snapshot repeats most of what the records hold (ids, digests, Zig
     * metadata), and a record repeats its package's Zig metadata per tag; at 100,000 tags these copies
     * were most of the heap (bench/scale.sh). So each record is read with its own string pool, and
     * the snapshot is read one package at a time, each entry taking the values it shares with its
     * record from the record ({@link PackageInfos#sharing}); its own copies die young instead of
     * filling the old generation. Records are independent files and are read on all cores.
     */
    public void load() throws IOException {
        loadedSnapshotStamp = storage.stat(StorageKeys.INFO_SNAPSHOT)
                .map(i -> i.size() + "@" + i.lastModifiedMillis()).orElse("");
        infos.handle((done, failed) -> null).join(); // a previous load's snapshot read must not outlive this one
        Map<String, PackageRecord> loaded = readRecords();
        packages.keySet().retainAll(loaded.keySet());
        packages.putAll(loaded);
        byZigHash.clear();
        loaded.values().forEach(this::indexZigHashes);
        setCatalog(readCatalog(StorageKeys.SOURCE_CURRENT).orElse(SourceCatalog.empty()));
        CompletableFuture<SortedMap<String, PackageInfo>> snapshot = new CompletableFuture<>();
        infos = snapshot;
        Thread reader = new Thread(() -> {
            try {
                snapshot.complete(readSnapshot(loaded)); // no new generation: every reader waits for this
            } catch (Throwable t) {
                snapshot.completeExceptionally(t); // readers fail instead of waiting forever
                throw t;
            }
        }, "packbase-load-snapshot");
        reader.setDaemon(true);
        reader.start();
        changed();
    }

    private Map<String, PackageRecord> readRecords() throws IOException {
        ObjectReader recordReader = pooledStrings(json).readerFor(PackageRecord.class);
        List<String> keys = storage.list(StorageKeys.PACKAGES_DIR).stream().filter(k -> k.endsWith(".json")).toList();
        Map<String, PackageRecord> loaded = new ConcurrentHashMap<>();
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "packbase-load-records");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Callable<Void>> slices = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int first = i;
                slices.add(() -> {
                    for (int k = first; k < keys.size(); k += threads) {
                        String key = keys.get(k);
                        try (InputStream in = storage.open(key)) {
                            PackageRecord record = recordReader.withAttribute(StringPool.class, new StringPool())
                                    .readValue(in);
                            loaded.put(record.name(), record);
                        } catch (IOException e) {
                            LOG.warning(() -> "skipping unreadable package record " + key + ": " + e.getMessage());
                        }
                    }
                    return null;
                });
            }
            for (Future<Void> done : pool.invokeAll(slices)) {
                done.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading package records", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return loaded;
    }

    /**
     * The snapshot's entries, read one at a time ({@link InfoSnapshot} is the file's shape); an
     * unreadable snapshot counts as none, as every later fetch or update rewrites it.
     */
    private SortedMap<String, PackageInfo> readSnapshot(Map<String, PackageRecord> records) {
        SortedMap<String, PackageInfo> read = new TreeMap<>();
        ObjectReader infoReader = json.readerFor(PackageInfo.class);
        try (InputStream in = storage.open(StorageKeys.INFO_SNAPSHOT);
                JsonParser p = json.getFactory().createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean entries = p.currentName().equals("packages");
                if (p.nextToken() != JsonToken.START_OBJECT || !entries) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    PackageInfo info = infoReader.readValue(p);
                    PackageRecord record = records.get(name);
                    read.put(name, record == null ? info : PackageInfos.sharing(info, record));
                }
            }
            return read;
        } catch (NoSuchFileException e) {
            return new TreeMap<>();
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "ignoring unreadable " + StorageKeys.INFO_SNAPSHOT + ": " + e.getMessage());
            return new TreeMap<>();
        }
    }

    /** The strings already read from one file: equal values within it become one object. */
    private static final class StringPool extends HashMap<String, String> {
        private static final long serialVersionUID = 1L;
    }

    /** A copy of the mapper that shares equal strings through the {@link StringPool} attribute, if one is set. */
    private static ObjectMapper pooledStrings(ObjectMapper json) {
        return json.copy().registerModule(new SimpleModule("packbase-pooled-strings")
                .addDeserializer(String.class, new StringDeserializer() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                        String value = super.deserialize(p, ctxt);
                        Object pool = ctxt.getAttribute(StringPool.class);
                        return value == null || pool == null ? value : ((StringPool) pool).computeIfAbsent(value, v -> v);
                    }
                }));
    }

    /** The current generation: it changes whenever records, snapshot or catalog change. */
    public long generation() {
        return generation.get();
    }

    private void changed() {
        generation.incrementAndGet();
    }

    /** Local and registered names and the health count, computed at most once per generation. */
    public Summary summary() {
        long current = generation.get(); // read before the state, so a concurrent change is never cached as current
        Summary s = summary;
        if (s != null && s.generation() == current) {
            return s;
        }
        List<String> local = localNames();
        List<String> registered = List.copyOf(registeredNames);
        TreeSet<String> all = new TreeSet<>(local);
        all.addAll(registered);
        SortedMap<String, PackageInfo> snapshot = infos.join();
        int healthy = 0;
        for (String name : all) {
            PackageInfo info = snapshot.get(name);
            if (info != null && info.healthy()) {
                healthy++;
            }
        }
        s = new Summary(current, local, registered, List.copyOf(all), healthy);
        summary = s;
        return s;
    }

    /** A stored source catalog snapshot, if any. */
    public Optional<SourceCatalog> readCatalog(String key) throws IOException {
        if (storage.stat(key).isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = storage.open(key)) {
            return Optional.of(json.readValue(in, SourceCatalog.class));
        }
    }

    /** The catalog of the last synced PACKBASE_SOURCE snapshot (empty when there is none). */
    public SourceCatalog catalog() {
        return catalog;
    }

    /** Stores a newly synced catalog: the current snapshot becomes the previous one. */
    public void saveCatalog(SourceCatalog next, SourceCatalog previous) throws IOException {
        storage.replace(StorageKeys.SOURCE_PREVIOUS, out -> json.writeValue(out, previous));
        storage.replace(StorageKeys.SOURCE_CURRENT, out -> json.writeValue(out, next));
        setCatalog(next);
        changed();
    }

    private void setCatalog(SourceCatalog next) {
        registeredNames = Collections.unmodifiableSet(next.names());
        catalog = next;
    }

    /** Names in the last synced catalog, sorted; computed once per catalog (an update asks once per package). */
    public Set<String> registeredNames() {
        return registeredNames;
    }

    public Optional<PackageRecord> find(PackageName name) {
        return Optional.ofNullable(packages.get(name.value()));
    }

    /** Names of the packages materialised here, sorted. */
    public List<String> localNames() {
        return packages.keySet().stream().sorted().toList();
    }

    public boolean isEmpty() {
        return packages.isEmpty();
    }

    public void save(PackageRecord record) throws IOException {
        storage.replace(StorageKeys.packageRecord(new PackageName(record.name())), out -> json.writeValue(out, record));
        packages.put(record.name(), record);
        indexZigHashes(record);
        changed();
    }

    private void indexZigHashes(PackageRecord record) {
        for (var tag : record.tags()) {
            if (tag.zig() != null) {
                TagRef ref = new TagRef(record.name(), tag.tag());
                if (tag.zig().hash() != null) {
                    byZigHash.putIfAbsent(tag.zig().hash(), ref);
                }
                if (tag.zig().legacyHash() != null) {
                    byZigHash.putIfAbsent(tag.zig().legacyHash(), ref);
                }
            }
        }
    }

    /** The tarball with this Zig package hash (new or legacy form), if any. */
    public Optional<TagRef> findByZigHash(String hash) {
        return Optional.ofNullable(byZigHash.get(hash));
    }

    public Optional<TagManifest> manifest(PackageName pkg, String tag) throws IOException {
        String key = StorageKeys.manifest(pkg, tag);
        if (storage.stat(key).isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = storage.open(key)) {
            return Optional.of(json.readValue(in, TagManifest.class));
        }
    }

    public Optional<PackageInfo> info(String name) {
        return Optional.ofNullable(infos.join().get(name));
    }

    /** Rewrites the whole snapshot with exactly these packages (an update run sees them all). */
    public void replaceInfos(List<PackageInfo> all) throws IOException {
        synchronized (snapshotLock) {
            SortedMap<String, PackageInfo> next = new TreeMap<>();
            all.forEach(i -> next.put(i.packageName(), i));
            InfoSnapshot snapshot = new InfoSnapshot(1, System.currentTimeMillis() / 1000, next);
            storage.replace(StorageKeys.INFO_SNAPSHOT, out -> json.writeValue(out, snapshot));
            infos = CompletableFuture.completedFuture(Collections.unmodifiableSortedMap(next));
            changed();
        }
    }

    private volatile String loadedSnapshotStamp = "";

    /**
     * For read-only edges: reloads everything when the central node has rewritten the info snapshot
     * (the last file it writes after any change). Returns whether anything was reloaded.
     */
    public boolean reloadIfChanged() throws IOException {
        String stamp = storage.stat(StorageKeys.INFO_SNAPSHOT)
                .map(i -> i.size() + "@" + i.lastModifiedMillis()).orElse("");
        if (stamp.equals(loadedSnapshotStamp)) {
            return false;
        }
        load();
        loadedSnapshotStamp = stamp;
        return true;
    }

    /** Replaces the snapshot entries of the given packages and rewrites the snapshot file atomically. */
    public void saveInfos(List<PackageInfo> updated) throws IOException {
        synchronized (snapshotLock) {
            SortedMap<String, PackageInfo> next = new TreeMap<>(infos.join());
            updated.forEach(i -> next.put(i.packageName(), i));
            InfoSnapshot snapshot = new InfoSnapshot(1, System.currentTimeMillis() / 1000, next);
            storage.replace(StorageKeys.INFO_SNAPSHOT, out -> json.writeValue(out, snapshot));
            infos = CompletableFuture.completedFuture(Collections.unmodifiableSortedMap(next));
            changed();
        }
    }

}
