package dev.packbase.state;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.packbase.domain.PackageInfo;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import dev.packbase.storage.StorageUnavailableException;
import dev.packbase.storage.StoredObject;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.ServedPackage;
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
import java.util.function.Function;
import java.util.Set;
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
 * file follows in the background ({@link SnapshotWriter}). Memory holds only what the request path needs
 * ({@link ServedPackage} per package, the Zig-hash index, each entry's health): records and entries are
 * read from storage when asked for, so memory does not grow with everything a record says. One instance
 * per running packbase (owned by the composition root). Every change bumps a generation number, so that
 * views derived from the whole state (the name lists, the health count) are computed once per change
 * rather than once per request.
 */
public final class PackageState {
    private static final Logger LOG = Logger.getLogger(PackageState.class.getName());

    private final Storage storage;
    private final ObjectMapper json;
    private final Map<String, ServedPackage> packages = new ConcurrentHashMap<>();
    /** This node's record writes, counted; and the count at each package's last one (see {@link #load}). */
    private final AtomicLong recordWrites = new AtomicLong();
    private final Map<String, Long> lastWrite = new ConcurrentHashMap<>();
    /** Zig package hash (both forms) → package and tag, for GET /h/<hash>.tar.gz. */
    private final Map<String, TagRef> byZigHash = new ConcurrentHashMap<>();

    /** A tag or pinned commit of a package. */
    public record TagRef(String packageName, RefKind kind, String tag) {
    }
    /** The packages with an info entry (under {@link StorageKeys#INFO_DIR}) and whether it says healthy. */
    private final Map<String, Boolean> healthy = new ConcurrentHashMap<>();
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
        this.snapshot = new SnapshotWriter(storage, json, () -> new TreeSet<>(healthy.keySet()));
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
     * Reads every package record (keeping its {@link ServedPackage}) and the health of every info entry; both
     * are independent files and are read on all cores. A root written before per-package entries existed gets
     * its entries from the single snapshot file, once.
     */
    public void load() throws IOException {
        // Taken first and kept only when the whole load succeeded: a failed reload is retried.
        String stamp = storage.stat(StorageKeys.INFO_SNAPSHOT)
                .map(i -> i.size() + "@" + i.lastModifiedMillis()).orElse("");
        long writesBefore = recordWrites.get();
        long t0 = System.nanoTime();
        ServedPackageReader records = new ServedPackageReader(json.getFactory());
        Map<String, ServedPackage> loaded = readAll(StorageKeys.PACKAGES_DIR, records::read, ServedPackage::name,
                "package record");
        long t1 = System.nanoTime();
        Map<String, Health> entries = readAll(StorageKeys.INFO_DIR, this::readHealth, Health::name, "info entry");
        long t2 = System.nanoTime();
        LOG.info(() -> String.format("read %d package records in %d ms and %d info entries in %d ms", loaded.size(),
                (t1 - t0) / 1_000_000, entries.size(), (t2 - t1) / 1_000_000));
        Map<String, Boolean> health = new HashMap<>();
        entries.values().forEach(h -> health.put(h.name(), h.healthy()));
        migrateFromSnapshot(loaded.keySet(), health);
        // A reload runs while this node may write (a node on a shared bucket): a record it wrote after the
        // reload began is newer than what the reload read, or than the reload's listing, which missed it.
        java.util.function.Predicate<String> writtenSince = name -> lastWrite.getOrDefault(name, -1L) >= writesBefore;
        packages.keySet().removeIf(name -> !loaded.containsKey(name) && !writtenSince.test(name));
        loaded.forEach((name, pkg) -> {
            if (!writtenSince.test(name)) {
                packages.put(name, pkg);
            }
        });
        healthy.keySet().retainAll(health.keySet());
        healthy.putAll(health);
        byZigHash.clear();
        packages.values().forEach(this::indexZigHashes);
        setCatalog(readCatalog(StorageKeys.SOURCE_CURRENT).orElse(SourceCatalog.empty()));
        snapshot.recoverIfPending();
        loadedSnapshotStamp = stamp;
        changed();
    }

    /** An info entry's health, all that memory keeps of it. */
    private record Health(String name, boolean healthy) {
    }

    /** Reads the {@code package} and {@code healthy} fields of an entry, skipping the rest unparsed. */
    private Health readHealth(InputStream in) throws IOException {
        try (JsonParser p = json.getFactory().createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            String name = null;
            boolean ok = false;
            boolean seen = false;
            // PackageInfo writes both fields first, so reading usually stops after a few tokens.
            while ((name == null || !seen) && p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("package") && value == JsonToken.VALUE_STRING) {
                    name = p.getText();
                } else if (field.equals("healthy")) {
                    ok = value == JsonToken.VALUE_TRUE;
                    seen = true;
                } else {
                    p.skipChildren();
                }
            }
            if (name == null) {
                throw new IOException("no package field");
            }
            return new Health(name, ok);
        }
    }

    /**
     * Records without an entry take theirs from the snapshot file (a root from before per-package entries),
     * one entry at a time.
     */
    private void migrateFromSnapshot(Set<String> records, Map<String, Boolean> health) throws IOException {
        if (health.keySet().containsAll(records)) {
            return;
        }
        int[] migrated = {0};
        readSnapshot(info -> {
            if (!health.containsKey(info.packageName())) {
                health.put(info.packageName(), info.healthy());
                migrated[0]++;
                if (storage.writable()) {
                    writeEntry(info);
                }
            }
        });
        int count = migrated[0];
        if (count > 0) {
            LOG.info(() -> "took " + count + " package info entr" + (count == 1 ? "y" : "ies") + " from "
                    + StorageKeys.INFO_SNAPSHOT);
        }
    }

    /** Reads one stored object. */
    private interface Parser<T> {
        T parse(InputStream in) throws IOException;
    }

    /** Every object under {@code prefix}, by name; unreadable ones are skipped with a warning. */
    private <T> Map<String, T> readAll(String prefix, Parser<T> parser, java.util.function.Function<T, String> name,
            String what) throws IOException {
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
                            T value = parser.parse(in);
                            loaded.put(name.apply(value), value);
                        } catch (StorageUnavailableException e) {
                            throw e; // says nothing about the object: the load fails and the state stays
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
            if (e.getCause() instanceof StorageUnavailableException u) {
                throw u;
            }
            throw new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return loaded;
    }

    /** Something done with each entry of the snapshot file. */
    private interface EntryConsumer {
        void accept(PackageInfo info) throws IOException;
    }

    /**
     * Hands over the snapshot file's entries one at a time ({@link SnapshotWriter} writes its shape); an
     * unreadable snapshot counts as none.
     */
    private void readSnapshot(EntryConsumer each) throws IOException {
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
                    p.nextToken();
                    each.accept(infoReader.readValue(p));
                }
            }
        } catch (NoSuchFileException e) {
            // no snapshot: nothing to take over
        } catch (com.fasterxml.jackson.core.JacksonException | RuntimeException e) {
            LOG.warning(() -> "ignoring unreadable " + StorageKeys.INFO_SNAPSHOT + ": " + e.getMessage());
        }
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
            if (Boolean.TRUE.equals(this.healthy.get(name))) {
                healthy++;
            }
        }
        s = new Summary(current, local, registered, List.copyOf(all), healthy);
        summary = s;
        return s;
    }

    /** Whether the package's info entry says healthy; empty when it has none. */
    public Optional<Boolean> healthy(String name) {
        return Optional.ofNullable(healthy.get(name));
    }

    /**
     * The reverse dependency index: the packages here whose tags or pinned commits declare, in their
     * {@code build.zig.zon}, a hash of one of {@code name}'s tarballs. Computed from memory at most once per
     * generation.
     */
    public List<String> dependents(String name) {
        long current = generation.get();
        Dependents d = dependents;
        if (d == null || d.generation() != current) {
            Map<String, TreeSet<String>> by = new HashMap<>();
            for (ServedPackage pkg : packages.values()) {
                for (RefKind kind : RefKind.values()) {
                    for (ServedPackage.ServedTag tag : kind == RefKind.TAG ? pkg.tags() : pkg.commits()) {
                        for (String hash : tag.dependencyHashes()) {
                            TagRef target = byZigHash.get(hash);
                            if (target != null && !target.packageName().equals(pkg.name())) {
                                by.computeIfAbsent(target.packageName(), k -> new TreeSet<>()).add(pkg.name());
                            }
                        }
                    }
                }
            }
            Map<String, List<String>> index = new HashMap<>();
            by.forEach((k, v) -> index.put(k, List.copyOf(v)));
            d = new Dependents(current, index);
            dependents = d;
        }
        return d.by().getOrDefault(name, List.of());
    }

    private record Dependents(long generation, Map<String, List<String>> by) {
    }

    private volatile Dependents dependents;

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

    /** The package's record, read from storage (writers and the Git layer's builders need all of it). */
    public Optional<PackageRecord> find(PackageName name) throws IOException {
        return read(StorageKeys.packageRecord(name), PackageRecord.class);
    }

    /** What serving the package needs, from memory; empty if it is not materialised here. */
    public Optional<ServedPackage> served(PackageName name) {
        return Optional.ofNullable(packages.get(name.value()));
    }

    /** Whether the package is materialised here. */
    public boolean isLocal(String name) {
        return packages.containsKey(name);
    }

    private <T> Optional<T> read(String key, Class<T> type) throws IOException {
        Optional<StoredObject> object = storage.read(key);
        if (object.isEmpty()) {
            return Optional.empty();
        }
        try (StoredObject o = object.get(); InputStream in = o.stream()) {
            return Optional.of(json.readValue(in, type));
        }
    }

    /** Names of the packages materialised here, sorted. */
    public List<String> localNames() {
        return packages.keySet().stream().sorted().toList();
    }

    public boolean isEmpty() {
        return packages.isEmpty();
    }

    /**
     * The packages held here and their tarballs (tags and pinned commits), split by what each package's info entry
     * says: healthy, or not (unhealthy, or no entry yet). Counted from memory, for the metrics' gauges.
     */
    public record HealthCounts(int healthyPackages, int unhealthyPackages, long healthyTarballs, long unhealthyTarballs) {
    }

    public HealthCounts healthCounts() {
        int healthyPackages = 0;
        int unhealthyPackages = 0;
        long healthyTarballs = 0;
        long unhealthyTarballs = 0;
        for (ServedPackage pkg : packages.values()) {
            int tarballs = pkg.tags().size() + pkg.commits().size();
            if (Boolean.TRUE.equals(healthy.get(pkg.name()))) {
                healthyPackages++;
                healthyTarballs += tarballs;
            } else {
                unhealthyPackages++;
                unhealthyTarballs += tarballs;
            }
        }
        return new HealthCounts(healthyPackages, unhealthyPackages, healthyTarballs, unhealthyTarballs);
    }

    /** Attempts of {@link #update} before it gives up on a record that other writers keep changing. */
    static final int UPDATE_ATTEMPTS = 20;

    /**
     * A read-modify-write of a package record with optimistic concurrency: {@code change} computes the result
     * from the stored record, which is written only if no other writer (another node on the same bucket)
     * changed it meanwhile; otherwise it is read again and {@code change} runs again. {@code change} may throw
     * to write nothing. Returns the result whose record was stored.
     */
    public <T> T update(PackageName name, Function<Optional<PackageRecord>, T> change,
            Function<T, PackageRecord> recordOf) throws IOException {
        String key = StorageKeys.packageRecord(name);
        for (int attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
            Optional<Storage.Versioned> current = storage.readVersioned(key);
            Optional<PackageRecord> existing = current.isEmpty() ? Optional.empty()
                    : Optional.of(json.readValue(current.get().bytes(), PackageRecord.class));
            T result = change.apply(existing);
            PackageRecord record = recordOf.apply(result);
            byte[] bytes = json.writeValueAsBytes(record);
            if (storage.replaceIf(key, current.map(Storage.Versioned::version).orElse(null), out -> out.write(bytes))) {
                remember(record);
                return result;
            }
            LOG.fine(() -> "record of " + name + " changed by another writer; merging again");
        }
        throw new IOException("the record of " + name + " kept changing under " + UPDATE_ATTEMPTS + " attempts to update it");
    }

    /** Stores a record as it is, whatever is stored now (operator commands that rebuild a record). */
    public void save(PackageRecord record) throws IOException {
        storage.replace(StorageKeys.packageRecord(new PackageName(record.name())), out -> json.writeValue(out, record));
        remember(record);
    }

    private void remember(PackageRecord record) {
        ServedPackage served = ServedPackage.of(record);
        lastWrite.put(record.name(), recordWrites.getAndIncrement());
        packages.put(record.name(), served);
        indexZigHashes(served);
        changed();
    }

    private void indexZigHashes(ServedPackage pkg) {
        for (RefKind kind : RefKind.values()) {
            for (ServedPackage.ServedTag tag : kind == RefKind.TAG ? pkg.tags() : pkg.commits()) {
                TagRef ref = new TagRef(pkg.name(), kind, tag.tag());
                if (tag.zigHash() != null) {
                    byZigHash.putIfAbsent(tag.zigHash(), ref);
                }
                if (tag.zigLegacyHash() != null) {
                    byZigHash.putIfAbsent(tag.zigLegacyHash(), ref);
                }
            }
        }
    }

    /** The tarball with this Zig package hash (new or legacy form), if any. */
    public Optional<TagRef> findByZigHash(String hash) {
        return Optional.ofNullable(byZigHash.get(hash));
    }

    public Optional<TagManifest> manifest(PackageName pkg, String tag) throws IOException {
        return manifest(pkg, RefKind.TAG, tag);
    }

    public Optional<TagManifest> manifest(PackageName pkg, RefKind kind, String name) throws IOException {
        String key = StorageKeys.manifest(pkg, kind, name);
        if (storage.stat(key).isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = storage.open(key)) {
            return Optional.of(json.readValue(in, TagManifest.class));
        }
    }

    /** The package's stored info entry, read from storage: the answer of {@code GET /api/info/<pkg>}. */
    public Optional<PackageInfo> info(String name) {
        if (!PackageName.isValid(name)) {
            return Optional.empty();
        }
        try {
            return read(StorageKeys.packageInfo(name), PackageInfo.class);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the info entry of " + name, e);
        }
    }

    /**
     * Makes these the entries of every package: writes them, deletes those of packages not listed, and
     * writes the snapshot file at once.
     */
    public void replaceInfos(List<PackageInfo> all) throws IOException {
        saveInfos(all);
        retainInfos(all.stream().map(PackageInfo::packageName).collect(java.util.stream.Collectors.toSet()));
    }

    /**
     * Deletes the entries of packages not in {@code names} and writes the snapshot file at once: the end of a
     * run that saved every package's entry ({@link #saveInfos} as it went).
     */
    public void retainInfos(Set<String> names) throws IOException {
        List<String> unlisted = new ArrayList<>();
        for (String key : storage.list(StorageKeys.INFO_DIR)) {
            String name = key.substring(StorageKeys.INFO_DIR.length(), key.length() - ".json".length());
            if (!names.contains(name)) {
                unlisted.add(name);
            }
        }
        if (!unlisted.isEmpty()) {
            try (SnapshotWriter.Change change = snapshot.begin()) {
                for (String name : unlisted) {
                    storage.delete(StorageKeys.packageInfo(name));
                    healthy.remove(name);
                }
            }
            changed();
        }
        snapshot.flush(); // written only if some entry changed since the last write
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
                healthy.put(info.packageName(), info.healthy());
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
