package dev.packbase.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.SourceCatalog;
import dev.packbase.domain.TagManifest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The registry's state: package records, per-tag manifests and the persisted info snapshot, read
 * from and written through {@link Storage}. Package records are held in memory so that serving a
 * tarball or answering the API never touches more than the tarball itself. One instance per
 * running packbase (owned by the composition root).
 */
public final class Registry {
    private static final Logger LOG = Logger.getLogger(Registry.class.getName());

    private final Storage storage;
    private final ObjectMapper json;
    private final Map<String, PackageRecord> packages = new ConcurrentHashMap<>();
    /** Zig package hash (both forms) → package and tag, for GET /h/<hash>.tar.gz. */
    private final Map<String, TagRef> byZigHash = new ConcurrentHashMap<>();

    /** A tag of a package. */
    public record TagRef(String packageName, String tag) {
    }
    private volatile SortedMap<String, PackageInfo> infos = Collections.emptySortedMap();
    private volatile SourceCatalog catalog = SourceCatalog.empty();
    private final Object snapshotLock = new Object();

    /** The on-disk form of {@code .packbase/package-info.json}. */
    public record InfoSnapshot(int format, long generatedAt, SortedMap<String, PackageInfo> packages) {
    }

    public Registry(Storage storage, ObjectMapper json) {
        this.storage = storage;
        this.json = json;
    }

    public Storage storage() {
        return storage;
    }

    /** Reads every package record and the info snapshot. */
    public void load() throws IOException {
        loadedSnapshotStamp = storage.stat(StorageKeys.INFO_SNAPSHOT)
                .map(i -> i.size() + "@" + i.lastModifiedMillis()).orElse("");
        Map<String, PackageRecord> loaded = new TreeMap<>();
        for (String key : storage.list(StorageKeys.PACKAGES_DIR)) {
            if (!key.endsWith(".json")) {
                continue;
            }
            try (InputStream in = storage.open(key)) {
                PackageRecord record = json.readValue(in, PackageRecord.class);
                loaded.put(record.name(), record);
            } catch (IOException e) {
                LOG.warning(() -> "skipping unreadable package record " + key + ": " + e.getMessage());
            }
        }
        packages.keySet().retainAll(loaded.keySet());
        packages.putAll(loaded);
        byZigHash.clear();
        loaded.values().forEach(this::indexZigHashes);
        Optional<InfoSnapshot> snapshot = readSnapshot();
        infos = snapshot.map(s -> (SortedMap<String, PackageInfo>) new TreeMap<>(s.packages()))
                .orElseGet(TreeMap::new);
        catalog = readCatalog(StorageKeys.SOURCE_CURRENT).orElse(SourceCatalog.empty());
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
        catalog = next;
    }

    /** Names in the last synced catalog, sorted. */
    public java.util.Set<String> registeredNames() {
        return catalog.names();
    }

    private Optional<InfoSnapshot> readSnapshot() throws IOException {
        if (storage.stat(StorageKeys.INFO_SNAPSHOT).isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = storage.open(StorageKeys.INFO_SNAPSHOT)) {
            return Optional.of(json.readValue(in, InfoSnapshot.class));
        } catch (IOException e) {
            LOG.warning(() -> "ignoring unreadable " + StorageKeys.INFO_SNAPSHOT + ": " + e.getMessage());
            return Optional.empty();
        }
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

    public SortedMap<String, PackageInfo> infos() {
        return infos;
    }

    /** Rewrites the whole snapshot with exactly these packages (an update run sees them all). */
    public void replaceInfos(List<PackageInfo> all) throws IOException {
        synchronized (snapshotLock) {
            SortedMap<String, PackageInfo> next = new TreeMap<>();
            all.forEach(i -> next.put(i.packageName(), i));
            InfoSnapshot snapshot = new InfoSnapshot(1, System.currentTimeMillis() / 1000, next);
            storage.replace(StorageKeys.INFO_SNAPSHOT, out -> json.writeValue(out, snapshot));
            infos = Collections.unmodifiableSortedMap(next);
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
            SortedMap<String, PackageInfo> next = new TreeMap<>(infos);
            updated.forEach(i -> next.put(i.packageName(), i));
            InfoSnapshot snapshot = new InfoSnapshot(1, System.currentTimeMillis() / 1000, next);
            storage.replace(StorageKeys.INFO_SNAPSHOT, out -> json.writeValue(out, snapshot));
            infos = Collections.unmodifiableSortedMap(next);
        }
    }

}
