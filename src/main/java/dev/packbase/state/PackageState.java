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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The one owner of package state: records, per-tag manifests and per-package info entries, read from
 * and written through {@link Storage}, one package's objects per change; the contract's single snapshot
 * file follows in the background ({@link SnapshotWriter}). Records and entries are held in memory so
 * that serving a tarball or answering the API never touches more than the tarball itself. One instance per
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
    /** Each package's info entry, as stored under {@link StorageKeys#INFO_DIR}. */
    private final Map<String, PackageInfo> infos = new ConcurrentHashMap<>();
    private final SnapshotWriter snapshot;
    private volatile SourceCatalog catalog = SourceCatalog.empty();
    private volatile Set<String> registeredNames = Set.of();
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

    public PackageState(Storage storage, ObjectMapper json) {
        this.storage = storage;
        this.json = json;
        this.snapshot = new SnapshotWriter(storage, json, () -> new TreeMap<>(infos));
    }

    /** Starts the background writer of the contract's info snapshot. */
    public void start() {
        snapshot.start();
    }

    /** Stops the background writer after writing what is pending. */
    public void close() {
        snapshot.close();
    }

    public Storage storage() {
        return storage;
    }

    /**
     * Reads every package record and info entry. A record repeats its package's Zig metadata per tag, and an
     * entry repeats most of its record (ids, digests, Zig metadata): so each record is read with its own string
     * pool, and each entry takes the values it shares with its record from the record
     * ({@link PackageInfos#sharing}); its own copies die young instead of filling the old generation. Both are
     * independent files and are read on all cores. A root written before per-package entries existed gets its
     * entries from the single snapshot file, once.
     */
    public void load() throws IOException {
        loadedSnapshotStamp = storage.stat(StorageKeys.INFO_SNAPSHOT)
                .map(i -> i.size() + "@" + i.lastModifiedMillis()).orElse("");
        Map<String, PackageRecord> loaded = readAll(StorageKeys.PACKAGES_DIR, PackageRecord.class, PackageRecord::name,
                "package record");
        Map<String, PackageInfo> entries = readAll(StorageKeys.INFO_DIR, PackageInfo.class, PackageInfo::packageName,
                "info entry");
        entries.replaceAll((name, info) -> loaded.containsKey(name) ? PackageInfos.sharing(info, loaded.get(name)) : info);
        migrateFromSnapshot(loaded, entries);
        packages.keySet().retainAll(loaded.keySet());
        packages.putAll(loaded);
        infos.keySet().retainAll(entries.keySet());
        infos.putAll(entries);
        byZigHash.clear();
        loaded.values().forEach(this::indexZigHashes);
        setCatalog(readCatalog(StorageKeys.SOURCE_CURRENT).orElse(SourceCatalog.empty()));
        snapshot.recoverIfPending();
        changed();
    }

    /** Records without an entry take theirs from the snapshot file (a root from before per-package entries). */
    private void migrateFromSnapshot(Map<String, PackageRecord> records, Map<String, PackageInfo> entries)
            throws IOException {
        if (entries.keySet().containsAll(records.keySet())) {
            return;
        }
        SortedMap<String, PackageInfo> old = readSnapshot(records);
        int migrated = 0;
        for (Map.Entry<String, PackageInfo> e : old.entrySet()) {
            if (entries.putIfAbsent(e.getKey(), e.getValue()) == null) {
                migrated++;
                if (storage.writable()) {
                    writeEntry(e.getValue());
                }
            }
        }
        int count = migrated;
        if (count > 0) {
            LOG.info(() -> "took " + count + " package info entr" + (count == 1 ? "y" : "ies") + " from "
                    + StorageKeys.INFO_SNAPSHOT);
        }
    }

    /** Every object under {@code prefix}, by name; unreadable ones are skipped with a warning. */
    private <T> Map<String, T> readAll(String prefix, Class<T> type, java.util.function.Function<T, String> name,
            String what) throws IOException {
        ObjectReader reader = pooledStrings(json).readerFor(type);
        List<String> keys = storage.list(prefix).stream().filter(k -> k.endsWith(".json")).toList();
        Map<String, T> loaded = new ConcurrentHashMap<>();
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "packbase-load-state");
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
                            T value = reader.withAttribute(StringPool.class, new StringPool()).readValue(in);
                            loaded.put(name.apply(value), value);
                        } catch (IOException e) {
                            LOG.warning(() -> "skipping unreadable " + what + " " + key + ": " + e.getMessage());
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
            throw new IOException("interrupted while reading " + what + "s", e);
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
     * The snapshot file's entries, read one at a time ({@link SnapshotWriter.InfoSnapshot} is its shape); an
     * unreadable snapshot counts as none.
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
        int healthy = 0;
        for (String name : all) {
            PackageInfo info = infos.get(name);
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
        return Optional.ofNullable(infos.get(name));
    }

    /**
     * Makes these the entries of every package (an update run sees them all): writes the entries that changed,
     * deletes those of packages no longer listed, and writes the snapshot file at once.
     */
    public void replaceInfos(List<PackageInfo> all) throws IOException {
        Map<String, PackageInfo> next = new HashMap<>();
        all.forEach(i -> next.put(i.packageName(), i));
        List<PackageInfo> changedEntries = all.stream().filter(i -> !i.equals(infos.get(i.packageName()))).toList();
        try (SnapshotWriter.Change change = snapshot.begin()) {
            for (PackageInfo info : changedEntries) {
                writeEntry(info);
                infos.put(info.packageName(), info);
            }
            for (String key : storage.list(StorageKeys.INFO_DIR)) {
                String name = key.substring(StorageKeys.INFO_DIR.length(), key.length() - ".json".length());
                if (!next.containsKey(name)) {
                    storage.delete(key);
                }
            }
            infos.keySet().retainAll(next.keySet());
        }
        changed();
        snapshot.flush();
    }

    private volatile String loadedSnapshotStamp = "";

    /**
     * For read-only edges: reloads everything when the central node has rewritten the info snapshot (its
     * writer rewrites it within {@link SnapshotWriter#DELAY} after every change, after the changed package's
     * own files). Returns whether anything was reloaded.
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

    /**
     * Stores the entries of the given packages: each package's own file, then (coalesced, in the background)
     * the snapshot file.
     */
    public void saveInfos(List<PackageInfo> updated) throws IOException {
        try (SnapshotWriter.Change change = snapshot.begin()) {
            for (PackageInfo info : updated) {
                writeEntry(info);
                infos.put(info.packageName(), info);
            }
        }
        changed();
    }

    private void writeEntry(PackageInfo info) throws IOException {
        storage.replace(StorageKeys.packageInfo(info.packageName()), out -> json.writeValue(out, info));
    }

    /** Writes the snapshot file now if it is behind the entries. */
    public void flushSnapshot() throws IOException {
        snapshot.flush();
    }
}
