package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.testing.Tarballs;
import dev.packbase.zig.ZigPackageHash;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archive packages from archives the test builds: the same files in every format Zig unpacks give one
 * Zig hash (the hash of the files alone, the top directory stripped as Zig strips it) and a deterministic
 * tarball; hostile archives are refused before anything is kept.
 */
class ArchivePackagerTest {
    private static final String ZON = ".{ .name = .clib, .fingerprint = 0x1b2c3d4e5f607182, .version = \"1.0.0\","
            + " .paths = .{ \"build.zig.zon\", \"c\" } }\n";
    private static final Map<String, String> FILES = new LinkedHashMap<>();

    static {
        FILES.put("build.zig.zon", ZON);
        FILES.put("c/add.c", "int packbase_add(int a, int b) { return a + b; }\n");
        FILES.put("README", "outside .paths\n");
    }

    @TempDir
    Path dir;

    private final ArchivePackager packager = new ArchivePackager(new ArchiveReader(1 << 20, 100), 1 << 20);

    /** A tar of entries (name → content; a name ending in '/' is a directory), git-archive style with a pax global header. */
    static byte[] tar(Map<String, String> entries, boolean paxGlobal) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            if (paxGlobal) {
                bytes.write(paxGlobalHeader("52 comment=0123456789012345678901234567890123456789\n"));
            }
            for (Map.Entry<String, String> e : entries.entrySet()) {
                boolean directory = e.getKey().endsWith("/");
                TarArchiveEntry t = new TarArchiveEntry(e.getKey(), directory ? TarConstants.LF_DIR : TarConstants.LF_NORMAL, true);
                byte[] content = e.getValue().getBytes(StandardCharsets.UTF_8);
                if (!directory) {
                    t.setSize(content.length);
                }
                tar.putArchiveEntry(t);
                if (!directory) {
                    tar.write(content);
                }
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** The type-'g' record git archive starts with: a ustar header and one block of pax records. */
    static byte[] paxGlobalHeader(String records) {
        byte[] out = new byte[1024];
        byte[] content = records.getBytes(StandardCharsets.UTF_8);
        put(out, 0, "pax_global_header");
        put(out, 100, "0000666");
        put(out, 108, "0000000");
        put(out, 116, "0000000");
        put(out, 124, String.format("%011o", content.length));
        put(out, 136, String.format("%011o", 0));
        out[156] = 'g';
        put(out, 257, "ustar");
        put(out, 263, "00");
        java.util.Arrays.fill(out, 148, 156, (byte) ' ');
        int sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += out[i] & 0xff;
        }
        put(out, 148, String.format("%06o", sum));
        out[155] = ' ';
        System.arraycopy(content, 0, out, 512, content.length);
        return out;
    }

    private static void put(byte[] block, int at, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, block, at, b.length);
    }

    static byte[] zip(Map<String, String> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                zip.putArchiveEntry(new ZipArchiveEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static byte[] compress(byte[] tar, ArchiveType type) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = switch (type) {
            case TAR_GZ -> new GZIPOutputStream(bytes);
            case TAR_XZ -> new XZCompressorOutputStream(bytes);
            case TAR_ZST -> new ZstdCompressorOutputStream(bytes);
            default -> bytes;
        }) {
            out.write(tar);
        }
        return bytes.toByteArray();
    }

    private static Map<String, String> under(String top, Map<String, String> files) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(top + "/", "");
        files.forEach((k, v) -> m.put(top + "/" + k, v));
        return m;
    }

    private ArchivePackager.Packaged packaged(byte[] archive, ArchiveType type, ByteArrayOutputStream out) throws IOException {
        Path file = Files.write(Files.createTempFile(dir, "a", ".bin"), archive);
        return packager.write(file, type, out);
    }

    private ArchivePackager.Packaged packaged(byte[] archive, ArchiveType type) throws IOException {
        return packaged(archive, type, new ByteArrayOutputStream());
    }

    @Test
    void everyFormatOfTheSameFilesGivesTheHashOfTheFilesAloneAndOneTarball() throws Exception {
        ZigPackageHash.Builder expected = ZigPackageHash.builder();
        FILES.forEach((k, v) -> expected.file(k, v.getBytes(StandardCharsets.UTF_8)));
        ZigPackageHash.Result files = expected.finish();

        byte[] tar = tar(under("clib-1.0.0", FILES), true);
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ArchivePackager.Packaged gz = packaged(compress(tar, ArchiveType.TAR_GZ), ArchiveType.TAR_GZ, first);
        assertEquals(files.legacyHash(), gz.zig().legacyHash());
        assertEquals(files.hash(), gz.zig().hash());
        assertEquals("clib-1.0.0", gz.root(), "the single top directory is stripped, the pax global header ignored");
        assertEquals(3, gz.fileCount());
        for (ArchiveType type : new ArchiveType[] {ArchiveType.TAR, ArchiveType.TAR_XZ, ArchiveType.TAR_ZST}) {
            ArchivePackager.Packaged p = packaged(compress(tar, type), type);
            assertEquals(files.hash(), p.zig().hash(), type.label());
            assertEquals(gz.tarball().tarSha256(), p.tarball().tarSha256(), type + ": the same tar bytes");
        }
        assertEquals(files.hash(), packaged(zip(under("clib-1.0.0", FILES)), ArchiveType.ZIP).zig().hash(), "zip");

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        packaged(compress(tar, ArchiveType.TAR_GZ), ArchiveType.TAR_GZ, again);
        assertEquals(gz.tarball().tarSha256(), packaged(compress(tar, ArchiveType.TAR_GZ), ArchiveType.TAR_GZ).tarball().tarSha256());
        assertTrue(java.util.Arrays.equals(first.toByteArray(), again.toByteArray()), "the tarball is deterministic");
        Map<String, Tarballs.Entry> written = Tarballs.entries(Tarballs.gunzip(first.toByteArray()));
        assertTrue(written.containsKey("clib-1.0.0/c/add.c"), written.keySet().toString());
        assertTrue(written.keySet().stream().allMatch(k -> k.startsWith("clib-1.0.0/")), written.keySet().toString());
    }

    @Test
    void withoutOneTopDirectoryNothingIsStripped() throws Exception {
        Map<String, String> two = new LinkedHashMap<>(under("a", Map.of("x", "1")));
        two.put("b/y", "2");
        ArchivePackager.Packaged p = packaged(tar(two, false), ArchiveType.TAR);
        assertNull(p.root());
        ZigPackageHash.Builder expected = ZigPackageHash.builder();
        expected.file("a/x", "1".getBytes(StandardCharsets.UTF_8)).file("b/y", "2".getBytes(StandardCharsets.UTF_8));
        assertEquals(expected.finish().legacyHash(), p.zig().legacyHash());

        Map<String, String> fileFirst = new LinkedHashMap<>();
        fileFirst.put("top", "a top-level file");
        assertNull(packaged(tar(fileFirst, false), ArchiveType.TAR).root(), "a top-level file is no root (Zig 0.15+)");
        assertNotEquals(null, packaged(tar(Map.of("only/x", "1"), false), ArchiveType.TAR).root(),
                "no explicit directory entry is needed");
    }

    private void refused(byte[] archive, ArchiveType type, ErrorCode code, String words) {
        PackbaseException e = assertThrows(PackbaseException.class, () -> packaged(archive, type));
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }

    @Test
    void hostileArchivesAreRefusedWithTheirReason() throws Exception {
        refused(zip(Map.of("pkg/a", "1", "pkg/../../escape", "x")), ArchiveType.ZIP, ErrorCode.BAD_ARCHIVE, "leaves the package tree");
        refused(tar(Map.of("/etc/passwd", "x"), false), ArchiveType.TAR, ErrorCode.BAD_ARCHIVE, "absolute path");
        // Backslashes are separators in a zip, as Zig's allow_backslashes reads them: no way around the check.
        refused(zip(Map.of("pkg\\..\\x", "1")), ArchiveType.ZIP, ErrorCode.BAD_ARCHIVE, "leaves the package tree");

        ByteArrayOutputStream links = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(links)) {
            TarArchiveEntry link = new TarArchiveEntry("pkg/out", TarConstants.LF_SYMLINK);
            link.setLinkName("../../etc/passwd");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        }
        refused(links.toByteArray(), ArchiveType.TAR, ErrorCode.BAD_ARCHIVE, "outside the package tree");

        for (byte type : new byte[] {TarConstants.LF_LINK, TarConstants.LF_CHR, TarConstants.LF_FIFO}) {
            ByteArrayOutputStream odd = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(odd)) {
                TarArchiveEntry e = new TarArchiveEntry("pkg/odd", type);
                if (type == TarConstants.LF_LINK) {
                    e.setLinkName("pkg/a");
                }
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            }
            refused(odd.toByteArray(), ArchiveType.TAR, ErrorCode.BAD_ARCHIVE, "pkg/odd");
        }
        Map<String, String> twice = new LinkedHashMap<>();
        twice.put("pkg/a", "file");
        twice.put("pkg/a/x", "and directory");
        refused(tar(twice, false), ArchiveType.TAR, ErrorCode.BAD_ARCHIVE, "a is both a file and a directory");
        Map<String, String> same = new LinkedHashMap<>();
        same.put("pkg/a", "1");
        same.put("pkg/./a", "2");
        refused(tar(same, false), ArchiveType.TAR, ErrorCode.BAD_ARCHIVE, "duplicate path a");
    }

    @Test
    void aBombStopsAtTheUnpackedLimitAndTooManyEntriesAtTheFileLimit() throws Exception {
        // 64 MiB of zeros gzip to about 64 KiB: far past the 1 MiB this packager may unpack.
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bomb))) {
            TarArchiveEntry e = new TarArchiveEntry("pkg/zeros");
            e.setSize(64L << 20);
            tar.putArchiveEntry(e);
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                tar.write(zeros);
            }
            tar.closeArchiveEntry();
        }
        assertTrue(bomb.size() < 1 << 20, "the bomb is small: " + bomb.size());
        refused(bomb.toByteArray(), ArchiveType.TAR_GZ, ErrorCode.LIMIT_EXCEEDED, "archive bomb");

        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 101; i++) {
            many.put("pkg/f" + i, "x");
        }
        refused(zip(many), ArchiveType.ZIP, ErrorCode.LIMIT_EXCEEDED, "PACKBASE_MAX_FILES");
        refused("not an archive".getBytes(StandardCharsets.UTF_8), ArchiveType.TAR_GZ, ErrorCode.BAD_ARCHIVE, "does not unpack");
    }
}
