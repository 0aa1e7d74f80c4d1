package dev.packbase.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.Json;
import dev.packbase.domain.ArchiveManifest;
import dev.packbase.domain.TagManifest;
import dev.packbase.domain.ZigInfo;
import dev.packbase.storage.MemoryStorage;
import dev.packbase.storage.StorageKeys;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Archive packages in storage: found by either hash form and by URL; the first package under a hash stays. */
class ArchiveStateTest {
    private static final String LEGACY = "1220" + "ab".repeat(32);
    private static final String HASH = "clib-1.0.0-AQDtXkgBAAD9rsPFBSyPo6s64L7x0VorIXL0t7ChvMkS";

    private static ArchiveManifest manifest(String url) {
        ZigInfo zig = new ZigInfo(HASH, LEGACY, null, "ab".repeat(32), 10, 1, "clib", "enum_literal", "1.0.0", null, null,
                null, List.of(), List.of(), null, List.of());
        return new ArchiveManifest(ArchiveManifest.FORMAT, url, "tar.gz", "00".repeat(32), 100, 1_700_000_000L, "clib-1.0.0",
                new TagManifest.Tarball(StorageKeys.archiveTarball(LEGACY), 5, "11".repeat(32), "md5", "crc"), 10,
                "22".repeat(32), 1, "test", zig);
    }

    @Test
    void aStoredPackageIsFoundByBothHashesAndItsUrlAndASecondUrlPointsAtTheFirst() throws Exception {
        MemoryStorage storage = new MemoryStorage();
        ArchiveState archives = new ArchiveState(storage, Json.newMapper());
        assertEquals(Optional.empty(), archives.byUrl("https://a/x.tar.gz"));

        archives.store(manifest("https://a/x.tar.gz"), out -> out.write("first".getBytes(StandardCharsets.UTF_8)));
        assertEquals("https://a/x.tar.gz", archives.byHash(LEGACY).orElseThrow().url());
        assertEquals("https://a/x.tar.gz", archives.byHash(HASH).orElseThrow().url());
        assertEquals(LEGACY, archives.byUrl("https://a/x.tar.gz").orElseThrow().zig().legacyHash());

        ArchiveManifest kept = archives.store(manifest("https://mirror/x.tar.gz"),
                out -> out.write("second".getBytes(StandardCharsets.UTF_8)));
        assertEquals("https://a/x.tar.gz", kept.url(), "the manifest under a hash is written once");
        assertEquals("https://a/x.tar.gz", archives.byUrl("https://mirror/x.tar.gz").orElseThrow().url());
        try (var in = storage.open(StorageKeys.archiveTarball(LEGACY))) {
            assertEquals("first", new String(in.readAllBytes(), StandardCharsets.UTF_8), "and so is the tarball");
        }

        // A fresh reader on the same storage (an edge) finds it with no reload.
        assertTrue(new ArchiveState(storage, Json.newMapper()).byHash(HASH).isPresent());
        for (String bad : new String[] {"../../etc/passwd", "..", "x", "1220zz", null}) {
            assertEquals(Optional.empty(), archives.byHash(bad), String.valueOf(bad));
        }
    }
}
