package dev.packbase.zig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ZigHashTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    /** A manifest that every Zig from 0.14 loads, for packages named foo. */
    private static String zon(String paths) {
        return ".{\n    .name = .foo,\n    .version = \"0.1.0\",\n    .fingerprint = 0x8c736521490b23df,\n"
                + "    .paths = .{ " + paths + " },\n}\n";
    }

    // ------------------------------------------------------------------ Zig's own vectors

    @Test
    void newFormMatchesZigsPackageHashTestVector() {
        byte[] digest = HEX.parseHex("c7f571b7b4e76f3cdb877a7fddf977879dd386fa73579af79d1edb8f3ad9bd9f");
        assertEquals("nasm-2.16.1-3-vrr-ygAAoADH9XG3tOdvPNuHen_d-XeHndOG-nNXmved",
                ZigPackageHash.newHash("nasm", "2.16.1-3", 0xcafebabeL, 10485760, digest));
    }

    @Test
    void projectIdDecodesZigsVectors() {
        assertEquals(0xd8fa4f9aL, ZigPackageHash.projectId("pulseaudio-16.1.1-9-mk_62MZkNwBaFwiZ7ZVrYRIf_3dTqqJR5PbMRCJzSuLw"));
        assertEquals(0x99490101L, ZigPackageHash.projectId("dvui-0.4.0-dev-AQFJmayi2gAKE7FeJoF61v5U1IV9-SupoEcFutIZYpkC"));
        assertEquals(0xcafebabeL, ZigPackageHash.projectId("nasm-2.16.1-3-vrr-ygAAoADH9XG3tOdvPNuHen_d-XeHndOG-nNXmved"));
        assertNull(ZigPackageHash.projectId("1220" + "ab".repeat(32)), "legacy hashes carry no id");
        assertNull(ZigPackageHash.projectId("short"));
        assertNull(ZigPackageHash.projectId("a-b-" + "*".repeat(44)));
    }

    @Test
    void fingerprintExampleFromTheNotes() {
        assertEquals(0x8c736521L, ZigManifest.fingerprintChecksum("foo"));
    }

    /**
     * Observed with zig fetch --debug-hash (0.14.1 to 0.17.1) on this exact tree: per-file digests
     * build.zig.zon f9f11cf7…, src/a.txt e007e08e…, link src/link 5ae02f5e…; other.txt excluded.
     */
    @Test
    void reproducesWhatRealZigPrintedForASmallPackage() {
        ZigPackageHash.Builder b = ZigPackageHash.builder();
        b.file("other.txt", utf8("x\n"));
        b.symlink("src/link", "a.txt");
        b.file("src/a.txt", utf8("hi\n"));
        b.file("build.zig.zon", utf8(zon("\"build.zig.zon\", \"src\"")));
        ZigPackageHash.Result r = b.finish();
        assertEquals("foo-0.1.0-3yMLSYMAAAANYzqNhMuf8yavHqWq-d8vHg7oN38m_ONL", r.hash());
        assertEquals(3, r.fileCount());
        assertEquals(r.hash(), r.hashFor(ZigEra.ZIG_0_14_TO_0_15));
        assertEquals(r.hash(), r.hashFor(ZigEra.ZIG_0_16_AND_LATER));
        assertNull(r.hashFor(ZigEra.ZIG_0_12_TO_0_13), "0.13 cannot read an enum .name");
        assertTrue(r.legacyHash().startsWith("1220") && r.legacyHash().length() == 68);
        assertEquals(Set.of(ZigEra.ZIG_0_14_TO_0_15, ZigEra.ZIG_0_16_AND_LATER), r.acceptedBy());
    }

    // ------------------------------------------------------------------ the algorithm, step by step

    @Test
    void digestIsShaOfSortedPerFileDigests() throws Exception {
        ZigPackageHash.Builder b = ZigPackageHash.builder();
        b.file("b", utf8("B"));
        b.file("a", utf8("A"));
        ZigPackageHash.Result r = b.finish();
        byte[] da = sha256(utf8("a"), new byte[] {0, 0}, utf8("A"));
        byte[] db = sha256(utf8("b"), new byte[] {0, 0}, utf8("B"));
        byte[] d = sha256(da, db);
        assertEquals(HEX.formatHex(d), r.digest());
        assertEquals("1220" + HEX.formatHex(d), r.legacyHash());
        assertEquals(2, r.totalSize());
        assertTrue(r.naked());
        assertEquals(ZigPackageHash.newHash("N", "V", 0xffff, 2, d), r.hash());
        assertTrue(r.hash().startsWith("N-V-__8AAAIAAA"), r.hash());
    }

    @Test
    void symlinkDiffersFromFileWithTheSameBytes() throws Exception {
        ZigPackageHash.Result link = ZigPackageHash.builder().symlink("l", "target").finish();
        ZigPackageHash.Result file = ZigPackageHash.builder().file("l", utf8("target")).finish();
        assertNotEquals(link.digest(), file.digest());
        assertEquals(HEX.formatHex(sha256(sha256(utf8("ltarget")))), link.digest(), "no 00 00 for links");
        assertEquals(0, link.totalSize(), "links count 0 bytes");
        assertEquals(6, file.totalSize());
    }

    @Test
    void sortOrderIsUnsignedUtf8BytesNotPathComponentsNorUtf16() throws Exception {
        // '-' 0x2d < '.' 0x2e < '/' 0x2f < '0' 0x30: a component-wise sort would put foo/x before foo-bar.
        // U+FF01 (EF BC 81) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16.
        List<String> order = List.of("fo", "foo-bar", "foo.txt", "foo/x", "foo0", "\u00e9", "\uFF01", "\uD83D\uDE00");
        MessageDigest all = MessageDigest.getInstance("SHA-256");
        for (String p : order) {
            all.update(sha256(utf8(p), new byte[] {0, 0}, utf8(p)));
        }
        String expected = HEX.formatHex(all.digest());
        for (int seed = 0; seed < 5; seed++) {
            List<String> shuffled = new ArrayList<>(order);
            Collections.shuffle(shuffled, new java.util.Random(seed));
            ZigPackageHash.Builder b = ZigPackageHash.builder();
            for (String p : shuffled) {
                b.file(p, utf8(p));
            }
            assertEquals(expected, b.finish().digest());
        }
    }

    @Test
    void aPathCannotBeBothFileAndDirectory() {
        assertThrows(IllegalArgumentException.class, () -> {
            ZigPackageHash.Builder x = ZigPackageHash.builder();
            x.file("foo/x", utf8("1"));
            x.file("foo", utf8("2"));
        });
        assertThrows(IllegalArgumentException.class, () -> {
            ZigPackageHash.Builder x = ZigPackageHash.builder();
            x.file("foo", utf8("2"));
            x.symlink("foo/x", "y");
        });
    }

    @Test
    void nonAsciiNamesAreHashedAsUtf8() throws Exception {
        ZigPackageHash.Result r = ZigPackageHash.builder().file("dé/ñ.txt", utf8("x")).finish();
        assertEquals(HEX.formatHex(sha256(sha256(utf8("dé/ñ.txt"), new byte[] {0, 0}, utf8("x")))), r.digest());
    }

    @Test
    void streamingInChunksEqualsOneShot() {
        byte[] content = new byte[100_000];
        new java.util.Random(1).nextBytes(content);
        ZigPackageHash.Builder a = ZigPackageHash.builder();
        try (OutputStream s = a.file("big.bin")) {
            for (int off = 0; off < content.length; off += 777) {
                s.write(content, off, Math.min(777, content.length - off));
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertEquals(ZigPackageHash.builder().file("big.bin", content).finish().digest(), a.finish().digest());
    }

    @Test
    void totalSizeAbove4GiBSaturatesInTheNewForm() throws Exception {
        byte[] d = sha256(utf8("pretend"));
        long size = 4_500_000_000L;
        ZigPackageHash.Result r = ZigPackageHash.builder().precomputedFile("huge.bin", d, size).finish();
        assertEquals(size, r.totalSize(), "the result reports the real size");
        byte[] all = sha256(d);
        assertEquals(ZigPackageHash.newHash("N", "V", 0xffff, 0xFFFF_FFFFL, all), r.hash());
        assertEquals(ZigPackageHash.newHash("N", "V", 0xffff, Long.MAX_VALUE, all), r.hash());
        assertTrue(r.hash().startsWith("N-V-__8AAP____"), r.hash());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("saturated")));
    }

    @Test
    void streamedSizesAreSummedAcrossFilesBeyondIntRange() {
        // Two sinks of 1.5 GiB each would be slow to hash; the counting is what matters, so use
        // precomputed digests for sizes and one streamed file to check the sink counts bytes.
        ZigPackageHash.Builder b = ZigPackageHash.builder();
        try (ZigPackageHash.FileSink s = b.file("z")) {
            byte[] chunk = new byte[1 << 16];
            for (int i = 0; i < 16; i++) {
                s.write(chunk, 0, chunk.length);
            }
            assertEquals(1L << 20, s.size());
        }
        b.precomputedFile("a", new byte[32], 3_000_000_000L);
        assertEquals(3_000_000_000L + (1L << 20), b.finish().totalSize());
    }

    // ------------------------------------------------------------------ .paths

    @Test
    void filesOutsidePathsAreExcluded() {
        ZigPackageHash.Builder b = ZigPackageHash.builder();
        b.file("build.zig.zon", utf8(zon("\"build.zig.zon\", \"src\"")));
        b.file("src/main.zig", utf8("x"));
        b.file("srcfoo/x.zig", utf8("x"));
        b.file("tests/t.zig", utf8("x"));
        ZigPackageHash.Result r = b.finish();
        assertEquals(2, r.fileCount());

        ZigPackageHash.Builder only = ZigPackageHash.builder();
        only.file("build.zig.zon", utf8(zon("\"build.zig.zon\", \"src\"")));
        only.file("src/main.zig", utf8("x"));
        assertEquals(r.digest(), only.finish().digest(), "excluded files do not change the hash");
    }

    @Test
    void pathsEntriesAreNormalisedLikeZig() {
        assertEquals("src", ZigPathFilter.normalize("./src/"));
        assertEquals("build.zig.zon", ZigPathFilter.normalize("x/../build.zig.zon"));
        assertEquals(".", ZigPathFilter.normalize(""));
        assertEquals(".", ZigPathFilter.normalize("."));
        assertEquals(".", ZigPathFilter.normalize("a/b/../.."));
        assertEquals("..", ZigPathFilter.normalize("a/../.."));
        assertEquals("../../foo", ZigPathFilter.normalize("../x/../../foo"));
        assertEquals("a/b", ZigPathFilter.normalize("a//b/"));
        assertEquals("/abs", ZigPathFilter.normalize("/abs/./"));
        assertEquals("/", ZigPathFilter.normalize("/.."));

        ZigPathFilter f = ZigPathFilter.of(List.of("./src/", "x/../build.zig.zon", "../outside"));
        assertTrue(f.includes("src/a/b.zig"));
        assertTrue(f.includes("build.zig.zon"));
        assertTrue(f.includes("src"), "an entry also matches a file of that exact name");
        assertFalse(f.includes("srcx/a.zig"));
        assertFalse(f.includes("x/build.zig.zon"));
        assertFalse(f.includes("outside"));
        assertTrue(ZigPathFilter.of(null).includes("anything"), "no .paths field: everything");
    }

    @Test
    void dotOrEmptyPathIncludesEverything() {
        for (String paths : List.of("\"\"", "\".\"", "\"./\"", "\"a/..\"", "\"src\", \"\"")) {
            ZigPackageHash.Builder b = ZigPackageHash.builder();
            b.file("build.zig.zon", utf8(zon(paths)));
            b.file("x/y/z", utf8("1"));
            b.file("top", utf8("2"));
            assertEquals(3, b.finish().fileCount(), paths);
        }
    }

    @Test
    void pathsNamingDirectoriesAndFiles() {
        ZigPackageHash.Builder b = ZigPackageHash.builder();
        b.file("build.zig.zon", utf8(zon("\"build.zig.zon\", \"build.zig\", \"src/lib\", \"LICENSE\", \"docs/\"")));
        b.file("build.zig", utf8(""));
        b.file("src/lib/a.zig", utf8("a"));
        b.file("src/lib/deep/b.zig", utf8("b"));
        b.file("src/libx.zig", utf8("no"));
        b.file("src/main.zig", utf8("no"));
        b.file("LICENSE", utf8("l"));
        b.file("license", utf8("case-sensitive: no"));
        b.file("docs/index.md", utf8("d"));
        ZigPackageHash.Result r = b.finish();
        assertEquals(6, r.fileCount());
        assertEquals(1, r.warnings().size(), "only that 0.13 cannot read an enum name: " + r.warnings());
    }

    @Test
    void pathsThatMatchNothingOrOmitTheManifestAreWarnedAbout() {
        ZigPackageHash.Builder b = ZigPackageHash.builder();
        b.file("build.zig.zon", utf8(zon("\"src\", \"missing\"")));
        b.file("build.zig", utf8(""));
        b.file("src/a.zig", utf8("a"));
        b.file("src/A.zig", utf8("A"));
        ZigPackageHash.Result r = b.finish();
        assertEquals(2, r.fileCount(), "build.zig.zon and build.zig are dropped");
        String all = String.join("\n", r.warnings());
        assertTrue(all.contains("does not include build.zig.zon"), all);
        assertTrue(all.contains("\"missing\" matches no file"), all);
        assertTrue(all.contains("does not include build.zig,"), all);
        assertTrue(all.contains("differ only in case"), all);
        assertNotNull(r.hash(), "still a valid package, only a poor one");
    }

    @Test
    void emptyDirectoriesDoNotExistForTheHash() {
        // Directories are never entries; a package with and without an empty dir hashes the same,
        // and a .paths entry naming it simply matches nothing.
        ZigPackageHash.Builder b = ZigPackageHash.builder();
        b.file("build.zig.zon", utf8(zon("\"build.zig.zon\", \"empty\"")));
        ZigPackageHash.Result r = b.finish();
        assertEquals(1, r.fileCount());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("\"empty\" matches no file")));
    }

    // ------------------------------------------------------------------ manifests and versions

    @Test
    void legacyManifestGetsIdZeroAndBothForms() {
        ZigPackageHash.Builder b = ZigPackageHash.builder();
        b.file("build.zig.zon", utf8(".{ .name = \"foo\", .version = \"0.1.0\", .paths = .{\"\"} }"));
        ZigPackageHash.Result r = b.finish();
        assertTrue(r.hash().startsWith("foo-0.1.0-AAAAA"), r.hash());
        assertEquals(0L, ZigPackageHash.projectId(r.hash()));
        assertEquals(r.legacyHash(), r.hashFor(ZigEra.ZIG_0_12_TO_0_13));
        assertEquals(r.hash(), r.hashFor(ZigEra.ZIG_0_14_TO_0_15));
        assertNull(r.hashFor(ZigEra.ZIG_0_16_AND_LATER), "0.16 wants an enum name and a fingerprint");
    }

    @Test
    void stringNameThatIsNotAnIdentifierHasNoNewHash() {
        ZigPackageHash.Builder b = ZigPackageHash.builder();
        b.file("build.zig.zon", utf8(".{ .name = \"zig-clap\", .version = \"0.1.0\", .paths = .{\"\"} }"));
        ZigPackageHash.Result r = b.finish();
        assertNull(r.hash());
        assertTrue(r.hashUnavailableReason().contains("valid bare zig identifier"), r.hashUnavailableReason());
        assertNotNull(r.hashFor(ZigEra.ZIG_0_12_TO_0_13), "0.13 accepts any string");
        assertEquals(Set.of(ZigEra.ZIG_0_12_TO_0_13), r.acceptedBy());
    }

    @Test
    void brokenManifestMeansNoHashAtAll() {
        ZigPackageHash.Builder b = ZigPackageHash.builder();
        b.file("build.zig.zon", utf8(".{ .name = .foo, .version = \"0.1.0\" "));
        b.file("a", utf8("a"));
        ZigPackageHash.Result r = b.finish();
        assertNull(r.legacyHash());
        assertNull(r.hash());
        assertNull(r.digest());
        assertFalse(r.naked());
        assertTrue(r.manifestError().startsWith("build.zig.zon:1:"), r.manifestError());
        for (ZigEra e : ZigEra.values()) {
            assertNull(r.hashFor(e));
        }
    }

    @Test
    void manifestAsSymlinkOrDirectoryOrTooLargeIsReportedNotGuessed() {
        assertNotNull(ZigPackageHash.builder().symlink("build.zig.zon", "real.zon").finish().manifestError());
        assertNotNull(ZigPackageHash.builder().file("build.zig.zon/x", utf8("")).finish().manifestError());
        ZigPackageHash.Builder big = ZigPackageHash.builder();
        try (ZigPackageHash.FileSink s = big.file("build.zig.zon")) {
            byte[] spaces = new byte[1 << 20];
            Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i <= 10; i++) {
                s.write(spaces, 0, spaces.length);
            }
        }
        assertTrue(big.finish().manifestError().contains("larger than"));
    }

    @Test
    void manifestInASubdirectoryIsJustAFile() {
        ZigPackageHash.Result r = ZigPackageHash.builder().file("sub/build.zig.zon", utf8("garbage")).finish();
        assertTrue(r.naked());
        assertNotNull(r.hash());
    }

    @Test
    void versionIsRenderedAsZigDoes() {
        ZigPackageHash.Builder b = ZigPackageHash.builder();
        b.file("build.zig.zon", utf8(".{ .name = .foo, .version = \"1_0.0.0\", .fingerprint = 0x8c736521490b23df,"
                + " .paths = .{\"\"} }"));
        assertTrue(b.finish().hash().startsWith("foo-10.0.0-"), "observed with zig 0.14.1-0.17.1");
    }

    @Test
    void builderRejectsMisuse() {
        ZigPackageHash.Builder b = ZigPackageHash.builder();
        for (String bad : List.of("", "/abs", "a/", "a//b", "./a", "a/../b", "..", "a\0b")) {
            assertThrows(IllegalArgumentException.class, () -> b.file(bad, new byte[0]), bad);
        }
        b.file("a", new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> b.symlink("a", "x"), "duplicate");
        ZigPackageHash.FileSink open = b.file("c");
        assertThrows(IllegalStateException.class, () -> b.file("d"));
        assertThrows(IllegalStateException.class, b::finish);
        open.close();
        assertThrows(IllegalStateException.class, () -> open.write(1));
        b.finish();
        assertThrows(IllegalStateException.class, () -> b.file("e"));
    }
}
