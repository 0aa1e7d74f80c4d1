package dev.packbase.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.Json;
import dev.packbase.domain.GitStatus;
import dev.packbase.storage.FileStorage;
import dev.packbase.storage.MemoryStorage;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.RefKind;
import java.util.Optional;
import dev.packbase.domain.ServedPackage;
import dev.packbase.domain.SourceCatalog;
import dev.packbase.domain.TagEntry;
import dev.packbase.domain.ZigInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state owner: per-package writes, the coalesced snapshot, its crash marker, migration, load and summary. */
class PackageStateTest {
    private static final ObjectMapper JSON = Json.newMapper();
    private static final GitStatus OK = new GitStatus(true, true, List.of());

    @TempDir
    Path root;

    private static String hex(int seed, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; s.length() < length; i++) {
            s.append(Integer.toHexString((seed * 31 + i) * 0x9e3779b1 >>> 4 & 0xf));
        }
        return s.toString();
    }

    static TagEntry tag(String name, int seed) {
        ZigInfo zig = new ZigInfo("pkg-" + name + "-" + hex(seed, 20), "1220" + hex(seed + 1, 64), null,
                hex(seed + 2, 64), 100, 3, "pkg", "enum_literal", name.substring(1), "0x1234", "0.14.0",
                List.of("build.zig", "build.zig.zon", "src"), List.of(), List.of("0.14-0.15", "0.16+"), null,
                List.of("a warning every tag repeats"));
        return new TagEntry(name, hex(seed + 3, 40), hex(seed + 4, 40), hex(seed + 5, 40), hex(seed + 6, 40),
                1_700_000_000L + seed, 1000 + seed, hex(seed + 7, 64), hex(seed + 8, 32), hex(seed + 9, 8),
                hex(seed + 10, 64), 3, zig);
    }

    static PackageRecord record(String name, int tags) {
        List<TagEntry> entries = new java.util.ArrayList<>();
        for (int i = 0; i < tags; i++) {
            entries.add(tag("v1." + i + ".0", name.hashCode() + i * 100));
        }
        return new PackageRecord(PackageRecord.FORMAT, name, "https://example.invalid/" + name, 1, 2, entries,
                List.of("moved tag"), List.of());
    }

    @Test
    void aLoadedStateAnswersFromStorageWhatWasSavedAndKeepsTheServingViewInMemory() throws Exception {
        FileStorage storage = FileStorage.open(root);
        PackageState first = new PackageState(storage, JSON);
        PackageRecord record = record("alpha", 3);
        first.save(record);
        PackageInfo saved = PackageInfos.compute(record, storage, false, OK, 42);
        first.saveInfos(List.of(saved));

        PackageState loaded = new PackageState(storage, JSON);
        loaded.load();
        assertEquals(saved, loaded.info("alpha").orElseThrow());
        assertEquals(record, loaded.find(new PackageName("alpha")).orElseThrow());
        ServedPackage served = loaded.served(new PackageName("alpha")).orElseThrow();
        assertEquals(ServedPackage.of(record), served);
        TagEntry tag = record.tag("v1.2.0").orElseThrow();
        ServedPackage.ServedTag view = served.tag("v1.2.0").orElseThrow();
        assertEquals(List.of(tag.sha256(), tag.sizeBytes(), tag.commitOid(), tag.zig().hash()),
                List.of(view.sha256(), view.sizeBytes(), view.commitOid(), view.zigHash()));
        assertEquals(Optional.of(new PackageState.TagRef("alpha", RefKind.TAG, "v1.2.0")), loaded.findByZigHash(tag.zig().hash()));
        assertFalse(saved.healthy(), "its tarballs are not in storage");
        assertEquals(0, loaded.summary().healthy(), "health comes from the stored entry");
        assertEquals(Optional.empty(), loaded.info("../alpha"), "a name that is no package is no entry");
    }

    @Test
    void aSnapshotOlderThanItsRecordKeepsItsOwnValues() throws Exception {
        FileStorage storage = FileStorage.open(root);
        PackageState first = new PackageState(storage, JSON);
        PackageRecord old = record("beta", 1);
        first.save(old);
        first.saveInfos(List.of(PackageInfos.compute(old, storage, false, OK, 42)));
        TagEntry moved = old.tags().get(0);
        first.save(new PackageRecord(PackageRecord.FORMAT, "beta", old.upstreamUrl(), 1, 3, List.of(new TagEntry(
                moved.tag(), moved.upstreamObject(), moved.upstreamCommit(), moved.treeOid(), hex(99, 40),
                moved.commitTime(), moved.sizeBytes(), moved.sha256(), moved.md5(), moved.crc32(), moved.tarSha256(),
                moved.fileCount(), moved.zig())), List.of(), List.of()));

        PackageState loaded = new PackageState(storage, JSON);
        loaded.load();
        PackageInfo info = loaded.info("beta").orElseThrow();
        assertEquals(old.tags().get(0).commitOid(), info.tarballs().get(0).gitCommitOid(),
                "the snapshot is served as it was written");
        assertEquals(List.of("moved tag"), info.warnings());
    }

    @Test
    void anUnreadableSnapshotCountsAsNoneAndTheRecordsStillLoad() throws Exception {
        FileStorage storage = FileStorage.open(root);
        new PackageState(storage, JSON).save(record("gamma", 2));
        Files.writeString(root.resolve(StorageKeys.INFO_SNAPSHOT), "{\"format\":1,\"packages\":{\"gamma\":[");

        PackageState loaded = new PackageState(storage, JSON);
        loaded.load();
        assertEquals(List.of("gamma"), loaded.localNames());
        assertTrue(loaded.info("gamma").isEmpty());
        assertEquals(0, loaded.summary().healthy());
    }

    @Test
    void theSummaryIsComputedOncePerChange() throws Exception {
        FileStorage storage = FileStorage.open(root);
        PackageState registry = new PackageState(storage, JSON);
        registry.load();
        PackageState.Summary empty = registry.summary();
        assertSame(empty, registry.summary(), "nothing changed: the same summary");
        assertEquals(List.of(), empty.all());

        PackageRecord delta = record("delta", 1);
        registry.save(delta);
        PackageState.Summary saved = registry.summary();
        assertEquals(List.of("delta"), saved.local());
        assertEquals(0, saved.healthy(), "no snapshot entry yet");

        registry.saveInfos(List.of(PackageInfos.compute(delta, storage, false, OK, 1)));
        assertFalse(registry.info("delta").orElseThrow().healthy(), "its tarballs are missing");
        registry.saveInfos(List.of(withHealthy(registry.info("delta").orElseThrow())));
        assertEquals(1, registry.summary().healthy());

        registry.saveCatalog(new SourceCatalog(List.of(new SourceCatalog.Entry("epsilon", "https://example.invalid/e"))),
                SourceCatalog.empty());
        PackageState.Summary withCatalog = registry.summary();
        assertEquals(List.of("delta", "epsilon"), withCatalog.all());
        assertEquals(List.of("epsilon"), withCatalog.registered());
        assertEquals(java.util.Set.of("epsilon"), registry.registeredNames());
        assertSame(withCatalog, registry.summary());
    }

    private static PackageInfo withHealthy(PackageInfo i) {
        return new PackageInfo(i.packageName(), i.available(), i.registered(), i.local(), i.tarballDirPresent(),
                i.tarballCount(), i.latestTag(), i.latestSizeBytes(), i.sizeBytes(), i.tarballs(), i.smartHttpReady(),
                i.pseudoGitFetchable(), true, List.of(), i.gitProblems(), i.upstreamUrl(), i.checkedAt(), i.generatedAt(),
                i.warnings(), i.commits());
    }

    /** Every object under .packbase/ and its content. */
    private static Map<String, String> objects(Storage storage) throws Exception {
        Map<String, String> all = new TreeMap<>();
        for (String key : storage.list(".packbase/")) {
            try (var in = storage.open(key)) {
                all.put(key, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return all;
    }

    private static String snapshotText(Storage storage) throws Exception {
        return objects(storage).getOrDefault(StorageKeys.INFO_SNAPSHOT, "");
    }

    @Test
    void aChangeOfOnePackageWritesOnlyThatPackagesEntryAndTheSnapshotFollowsLater() throws Exception {
        MemoryStorage storage = new MemoryStorage();
        PackageState state = new PackageState(storage, JSON);
        PackageRecord a = record("alpha", 2);
        PackageRecord b = record("bravo", 2);
        state.save(a);
        state.save(b);
        state.replaceInfos(List.of(PackageInfos.compute(a, storage, false, OK, 1), PackageInfos.compute(b, storage, false, OK, 1)));
        Map<String, String> before = objects(storage);
        assertFalse(before.containsKey(StorageKeys.SNAPSHOT_PENDING), "an update run's end leaves no marker");

        PackageInfo bravo = PackageInfos.compute(b, storage, false, OK, 2);
        state.saveInfos(List.of(bravo));
        Map<String, String> after = objects(storage);
        Map<String, String> changed = new TreeMap<>(after);
        changed.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())));
        assertEquals(List.of(StorageKeys.packageInfo("bravo"), StorageKeys.SNAPSHOT_PENDING),
                List.copyOf(changed.keySet()), "only bravo's entry and the marker are written on the request path");
        assertEquals(before.get(StorageKeys.INFO_SNAPSHOT), after.get(StorageKeys.INFO_SNAPSHOT));
        assertEquals(bravo, state.info("bravo").orElseThrow(), "served from memory at once");

        state.flushSnapshot();
        assertEquals(bravo, JSON.treeToValue(JSON.readTree(snapshotText(storage)).path("packages").path("bravo"),
                PackageInfo.class),
                "the snapshot now holds bravo's new entry");
        assertFalse(objects(storage).containsKey(StorageKeys.SNAPSHOT_PENDING), "nothing is pending any more");
        PackageState reloaded = new PackageState(storage, JSON);
        reloaded.load();
        assertEquals(bravo, reloaded.info("bravo").orElseThrow());
    }

    @Test
    void theBackgroundWriterCoalescesChangesIntoTheSnapshot() throws Exception {
        MemoryStorage storage = new MemoryStorage();
        PackageState state = new PackageState(storage, JSON);
        state.start();
        try {
            for (String name : List.of("one", "two", "three")) {
                PackageRecord r = record(name, 1);
                state.save(r);
                state.saveInfos(List.of(PackageInfos.compute(r, storage, false, OK, 5)));
            }
            dev.packbase.testing.Await.until("the snapshot to hold all three packages", java.time.Duration.ofSeconds(30),
                    () -> snapshotText(storage).contains("\"one\"") && snapshotText(storage).contains("\"two\"")
                            && snapshotText(storage).contains("\"three\"")
                            && !objects(storage).containsKey(StorageKeys.SNAPSHOT_PENDING));
        } finally {
            state.close();
        }
    }

    @Test
    void aMarkerLeftByACrashMakesTheNextRunRewriteTheSnapshot() throws Exception {
        MemoryStorage storage = new MemoryStorage();
        PackageState crashed = new PackageState(storage, JSON);
        PackageRecord r = record("echo", 1);
        crashed.save(r);
        crashed.saveInfos(List.of(PackageInfos.compute(r, storage, false, OK, 7)));
        // killed here: the entry is written, the snapshot is not
        assertFalse(snapshotText(storage).contains("echo"));
        assertTrue(objects(storage).containsKey(StorageKeys.SNAPSHOT_PENDING));

        PackageState next = new PackageState(storage, JSON);
        next.load();
        next.flushSnapshot();
        assertTrue(snapshotText(storage).contains("\"echo\""), snapshotText(storage));
        assertFalse(objects(storage).containsKey(StorageKeys.SNAPSHOT_PENDING));
    }

    @Test
    void aRootWithOnlyTheSingleSnapshotGetsItsPerPackageEntriesOnce() throws Exception {
        MemoryStorage storage = new MemoryStorage();
        PackageState old = new PackageState(storage, JSON);
        PackageRecord r = record("foxtrot", 2);
        old.save(r);
        PackageInfo info = PackageInfos.compute(r, storage, false, OK, 9);
        old.replaceInfos(List.of(info));
        storage.delete(StorageKeys.packageInfo("foxtrot")); // as written before per-package entries existed

        PackageState migrated = new PackageState(storage, JSON);
        migrated.load();
        assertEquals(info, migrated.info("foxtrot").orElseThrow());
        assertTrue(storage.stat(StorageKeys.packageInfo("foxtrot")).isPresent(), "the entry is written");
    }

    @Test
    void anUpdateRunWritesOnlyChangedEntriesAndDropsThoseOfPackagesItNoLongerLists() throws Exception {
        MemoryStorage storage = new MemoryStorage();
        PackageState state = new PackageState(storage, JSON);
        PackageRecord g = record("golf", 1);
        PackageRecord h = record("hotel", 1);
        state.save(g);
        state.save(h);
        PackageInfo golf = PackageInfos.compute(g, storage, false, OK, 3);
        state.replaceInfos(List.of(golf, PackageInfos.compute(h, storage, false, OK, 3)));
        String golfEntry = objects(storage).get(StorageKeys.packageInfo("golf"));

        state.replaceInfos(List.of(golf));
        Map<String, String> after = objects(storage);
        assertEquals(golfEntry, after.get(StorageKeys.packageInfo("golf")));
        assertFalse(after.containsKey(StorageKeys.packageInfo("hotel")));
        assertFalse(after.get(StorageKeys.INFO_SNAPSHOT).contains("hotel"), "the snapshot is written at the run's end");
        assertTrue(state.info("hotel").isEmpty());
    }

    @Test
    void theReverseIndexNamesThePackagesWhoseTagsDeclareAHashOfThisOne() throws Exception {
        PackageState state = new PackageState(new dev.packbase.storage.MemoryStorage(), JSON);
        PackageRecord leaf = record("leaf", 2);
        state.save(leaf);
        String leafHash = leaf.tags().get(1).zig().hash();
        String leafLegacy = leaf.tags().get(0).zig().legacyHash();
        state.save(dependingOn("app", 10, leafHash, "1220" + hex(99, 64)));
        state.save(dependingOn("tool", 20, leafLegacy));
        assertEquals(List.of("app", "tool"), state.dependents("leaf"));
        assertEquals(List.of(), state.dependents("app"), "a hash held nowhere here names no package");

        // Loaded from storage, the index is the same: the reader keeps the declared hashes.
        PackageState reloaded = new PackageState(state.storage(), JSON);
        reloaded.load();
        assertEquals(List.of("app", "tool"), reloaded.dependents("leaf"));
    }

    private static PackageRecord dependingOn(String name, int seed, String... hashes) {
        TagEntry t = tag("v1.0.0", seed);
        ZigInfo z = t.zig();
        List<ZigInfo.Dependency> deps = java.util.Arrays.stream(hashes)
                .map(h -> new ZigInfo.Dependency("d" + h.length(), "https://example.org/x.tar.gz", h, null, null)).toList();
        ZigInfo withDeps = new ZigInfo(z.hash(), z.legacyHash(), null, z.digest(), z.totalSize(), z.fileCount(), z.name(),
                z.nameForm(), z.version(), z.fingerprint(), z.minimumZigVersion(), z.paths(), deps, z.acceptedBy(), null,
                z.warnings());
        TagEntry entry = new TagEntry(t.tag(), t.upstreamObject(), t.upstreamCommit(), t.treeOid(), t.commitOid(),
                t.commitTime(), t.sizeBytes(), t.sha256(), t.md5(), t.crc32(), t.tarSha256(), t.fileCount(), withDeps);
        return new PackageRecord(PackageRecord.FORMAT, name, "https://example.org/" + name, 1, 1, List.of(entry), List.of(),
                List.of());
    }
}
