package dev.packbase.ingest;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Reads the entries of a downloaded archive as Zig's fetcher would unpack them, and refuses what a
 * hostile archive holds (notes/zig-client.md §1.3–1.5): a path that is absolute, has a {@code ..}
 * component, a NUL, a backslash or a control character; an entry that is no regular file, directory or
 * symlink (hard links, devices, fifos, sparse files, which Zig refuses too); a symlink whose target leaves
 * the package tree; more entries than {@code PACKBASE_MAX_FILES}; and more unpacked bytes than
 * {@code PACKBASE_MAX_TARBALL_BYTES}, counted as they are decompressed, so a bomb stops at the limit. Zig
 * 0.16 resolves {@code .} components, so they are dropped. gzip: only the first member, as Zig reads it.
 * Zip: entries in the file's order, stored or deflated and unencrypted, backslashes read as separators (as
 * commons-compress and Zig's {@code allow_backslashes} read them); Zig has no symlinks in zips.
 */
final class ArchiveReader {
    /** What an entry is once read. */
    enum Kind {
        FILE, DIRECTORY, SYMLINK
    }

    /**
     * One entry, its path cleaned but not yet stripped of the top directory.
     *
     * @param executable the archive's own executable bit (Zig ignores modes; packbase keeps it in its tarball)
     */
    record Entry(String path, Kind kind, long size, boolean executable, String linkTarget, long mtime) {
    }

    /** Receives each entry in archive order, with its content (empty for directories and links). */
    @FunctionalInterface
    interface Visitor {
        void entry(Entry entry, InputStream content) throws IOException;
    }

    private final long maxUnpackedBytes;
    private final int maxEntries;

    ArchiveReader(long maxUnpackedBytes, int maxEntries) {
        this.maxUnpackedBytes = maxUnpackedBytes;
        this.maxEntries = maxEntries;
    }

    /** The entries, without their content. */
    List<Entry> list(Path file, ArchiveType type) throws IOException {
        List<Entry> entries = new ArrayList<>();
        read(file, type, (e, in) -> entries.add(e));
        return Collections.unmodifiableList(entries);
    }

    void read(Path file, ArchiveType type, Visitor visitor) throws IOException {
        Budget budget = new Budget();
        try {
            if (type == ArchiveType.ZIP) {
                readZip(file, visitor, budget);
            } else {
                readTar(file, type, visitor, budget);
            }
        } catch (PackbaseException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw refused("the " + type.label() + " does not unpack: " + e.getMessage());
        }
    }

    private void readTar(Path file, ArchiveType type, Visitor visitor, Budget budget) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                InputStream decompressed = decompressor(type, raw);
                TarArchiveInputStream tar = new TarArchiveInputStream(new Counted(decompressed, budget),
                        StandardCharsets.UTF_8.name())) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                budget.entry();
                Kind kind = tarKind(e);
                String path = cleanPath(e.getName());
                if (path.isEmpty()) {
                    continue; // "./": the archive's own root
                }
                String target = kind == Kind.SYMLINK ? checkedLink(path, e.getLinkName()) : null;
                long size = kind == Kind.FILE ? e.getSize() : 0;
                visitor.entry(new Entry(path, kind, size, (e.getMode() & 0100) != 0, target,
                        e.getLastModifiedTime() == null ? 0 : e.getLastModifiedTime().toMillis() / 1000),
                        kind == Kind.FILE ? tar : InputStream.nullInputStream());
            }
        }
    }

    private static InputStream decompressor(ArchiveType type, InputStream in) throws IOException {
        return switch (type) {
            case TAR -> in;
            case TAR_GZ -> new GzipCompressorInputStream(in, false);
            case TAR_XZ -> new XZCompressorInputStream(in, false);
            case TAR_ZST -> new ZstdCompressorInputStream(in);
            case ZIP -> throw new IllegalArgumentException("a zip is not a stream");
        };
    }

    private static Kind tarKind(TarArchiveEntry e) {
        if (e.isSparse()) {
            throw refused("'" + e.getName() + "' is a sparse file, which Zig does not unpack");
        }
        byte flag = e.isSymbolicLink() ? TarConstants.LF_SYMLINK : e.isDirectory() ? TarConstants.LF_DIR : rawFlag(e);
        return switch (flag) {
            case TarConstants.LF_NORMAL, TarConstants.LF_OLDNORM -> Kind.FILE;
            case TarConstants.LF_DIR -> Kind.DIRECTORY;
            case TarConstants.LF_SYMLINK -> Kind.SYMLINK;
            case TarConstants.LF_LINK -> throw refused("'" + e.getName() + "' is a hard link, which Zig does not unpack");
            case TarConstants.LF_CHR, TarConstants.LF_BLK, TarConstants.LF_FIFO ->
                    throw refused("'" + e.getName() + "' is a device or fifo");
            default -> throw refused("'" + e.getName() + "' has the tar entry type '" + (char) flag
                    + "', which Zig does not unpack");
        };
    }

    private static byte rawFlag(TarArchiveEntry e) {
        if (e.isLink()) {
            return TarConstants.LF_LINK;
        }
        if (e.isCharacterDevice()) {
            return TarConstants.LF_CHR;
        }
        if (e.isBlockDevice()) {
            return TarConstants.LF_BLK;
        }
        if (e.isFIFO()) {
            return TarConstants.LF_FIFO;
        }
        return e.isFile() ? TarConstants.LF_NORMAL : TarConstants.LF_CONTIG;
    }

    private void readZip(Path file, Visitor visitor, Budget budget) throws IOException {
        try (ZipFile zip = ZipFile.builder().setPath(file).get()) {
            for (ZipArchiveEntry e : Collections.list(zip.getEntriesInPhysicalOrder())) {
                budget.entry();
                if (e.getGeneralPurposeBit().usesEncryption()) {
                    throw refused("'" + e.getName() + "' is encrypted");
                }
                if (e.getMethod() != ZipArchiveEntry.STORED && e.getMethod() != ZipArchiveEntry.DEFLATED) {
                    throw refused("'" + e.getName() + "' uses zip method " + e.getMethod() + "; Zig reads stored and deflated");
                }
                String path = cleanPath(e.getName());
                if (path.isEmpty()) {
                    continue;
                }
                boolean dir = e.isDirectory();
                boolean executable = e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX && (e.getUnixMode() & 0100) != 0;
                long mtime = e.getLastModifiedTime() == null ? 0 : e.getLastModifiedTime().toMillis() / 1000;
                if (dir) {
                    visitor.entry(new Entry(path, Kind.DIRECTORY, 0, false, null, mtime), InputStream.nullInputStream());
                    continue;
                }
                // The declared size can lie; the content is counted as it is inflated.
                try (InputStream in = new Counted(zip.getInputStream(e), budget)) {
                    visitor.entry(new Entry(path, Kind.FILE, e.getSize(), executable, null, mtime), in);
                }
            }
        }
    }

    /**
     * An entry name as a package path: '/'-separated, no leading or trailing slash, {@code .} components
     * dropped, refused when absolute or climbing with {@code ..}, or holding a NUL, a backslash or a control
     * character. Empty for the archive's own root.
     */
    static String cleanPath(String name) {
        if (name.startsWith("/")) {
            throw refused("'" + printable(name) + "' is an absolute path");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                throw refused("'" + printable(name) + "' has a control character or backslash in its name");
            }
        }
        List<String> kept = new ArrayList<>();
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                throw refused("'" + name + "' leaves the package tree");
            }
            if (!segment.isEmpty() && !segment.equals(".")) {
                kept.add(segment);
            }
        }
        return String.join("/", kept);
    }

    /** A symlink's target, refused when absolute or when it resolves outside the package tree. */
    static String checkedLink(String path, String target) {
        if (target == null || target.isEmpty() || target.startsWith("/") || target.indexOf('\0') >= 0) {
            throw refused("symlink '" + path + "' points at '" + printable(String.valueOf(target))
                    + "', outside the package tree");
        }
        // Resolved from the link's directory, below the archive's root (a stripped top directory makes the
        // real root one level deeper, never shallower, so this is the strict check).
        int depth = (int) path.chars().filter(c -> c == '/').count();
        for (String segment : target.split("/")) {
            if (segment.equals("..")) {
                depth--;
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                depth++;
            }
            if (depth < 0) {
                throw refused("symlink '" + path + "' points at '" + target + "', outside the package tree");
            }
        }
        return target;
    }

    private static String printable(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    static PackbaseException refused(String message) {
        return new PackbaseException(ErrorCode.BAD_ARCHIVE, "hostile or unsupported archive: " + message);
    }

    /** The entries and unpacked bytes one read may still use. */
    private final class Budget {
        private long bytes;
        private int entries;

        void entry() {
            if (++entries > maxEntries) {
                throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED, "more than " + maxEntries
                        + " entries in the archive (PACKBASE_MAX_FILES)");
            }
        }

        void bytes(long n) {
            bytes += n;
            if (bytes > maxUnpackedBytes) {
                throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED, "the archive unpacks to more than "
                        + maxUnpackedBytes + " bytes (PACKBASE_MAX_TARBALL_BYTES): an archive bomb, or too large");
            }
        }
    }

    /** Counts decompressed bytes against the budget as they are read. */
    private static final class Counted extends FilterInputStream {
        private final Budget budget;

        Counted(InputStream in, Budget budget) {
            super(in);
            this.budget = budget;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                budget.bytes(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                budget.bytes(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipping decompresses too: read through, so skipped bytes count.
            byte[] buffer = new byte[(int) Math.min(1 << 16, Math.max(1, n))];
            long left = n;
            while (left > 0) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, left));
                if (r < 0) {
                    break;
                }
                left -= r;
            }
            return n - left;
        }
    }
}
