package dev.packbase.zig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Fuzzes {@link ZigPackageHash.Builder} with a fuzzed build.zig.zon and a few files: finish()
 * always returns a result, never throws.
 *
 * <p>Input layout, so that seeds stay readable: the build.zig.zon bytes, then (optionally) a 0xFF
 * byte (never part of UTF-8 text) followed by one control byte per extra entry and finally content
 * bytes. A control byte picks a path from {@link #PATHS} (low 4 bits), whether the entry is a
 * symlink (bit 4), and how the manifest itself is added (bits 5-6 of the first control byte: file,
 * absent, symlink, file added last). Paths are canonical and never repeat, so the builder's own path
 * checks never fire. Seeds: ZigPackageHashFuzzTestInputs/hash.
 */
class ZigPackageHashFuzzIT {
    private static final String[] PATHS = {"build.zig", "src/root.zig", "src/main.zig", "src/sub/x.zig", "LICENSE",
            "README.md", "test/t.zig", "examples/a/b.zig", "Build.zig", "src/Root.zig", "zig-out/bin/x",
            ".gitignore", "include/h.h", "a", "b/c", "build.zig.zon.bak"};

    @FuzzTest
    void hash(byte[] input) {
        int sep = indexOf(input, (byte) 0xFF);
        byte[] manifest = sep < 0 ? input : Arrays.copyOf(input, sep);
        byte[] rest = sep < 0 ? new byte[0] : Arrays.copyOfRange(input, sep + 1, input.length);
        int controls = Math.min(rest.length / 2, 8);
        int manifestMode = controls == 0 ? 0 : (rest[0] >> 5) & 3;

        ZigPackageHash.Builder b = ZigPackageHash.builder();
        Set<String> used = new HashSet<>();
        if (manifestMode == 0) {
            b.file(ZigPackageHash.MANIFEST_PATH, manifest);
        } else if (manifestMode == 2) {
            b.symlink(ZigPackageHash.MANIFEST_PATH, new String(manifest, StandardCharsets.UTF_8));
        }
        int contentAt = controls;
        for (int i = 0; i < controls; i++) {
            int c = rest[i] & 0xFF;
            String path = PATHS[c & 15];
            if (!used.add(path)) {
                continue;
            }
            int len = contentAt < rest.length ? Math.min(rest[contentAt] & 0xFF, rest.length - contentAt - 1) : 0;
            byte[] content = len <= 0 ? new byte[0] : Arrays.copyOfRange(rest, contentAt + 1, contentAt + 1 + len);
            contentAt += 1 + Math.max(len, 0);
            if ((c & 16) != 0) {
                b.symlink(path, new String(content, StandardCharsets.UTF_8));
            } else {
                try (ZigPackageHash.FileSink sink = b.file(path)) {
                    sink.write(content, 0, content.length); // streamed, as the tarball writer does
                }
            }
        }
        if (manifestMode == 3) {
            b.file(ZigPackageHash.MANIFEST_PATH, manifest);
        }

        ZigPackageHash.Result r = b.finish();
        assertNotNull(r);
        if (r.manifestError() != null) {
            assertNull(r.legacyHash());
            assertNull(r.hash());
            return;
        }
        assertTrue(ZigPackageHash.isLegacy(r.legacyHash()), r.legacyHash());
        assertEquals(64, r.digest().length());
        assertTrue(r.hash() != null || r.hashUnavailableReason() != null);
        if (r.hash() != null) {
            assertTrue(r.hash().length() <= ZigPackageHash.MAX_HASH_CHARS, r.hash());
            long id = r.manifest() == null ? ZigPackageHash.NAKED_ID
                    : r.manifest().fingerprint() == null ? 0 : r.manifest().fingerprintId();
            assertEquals(id, ZigPackageHash.projectId(r.hash()));
        }
        for (ZigEra era : ZigEra.values()) {
            r.hashFor(era);
        }
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
