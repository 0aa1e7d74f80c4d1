package dev.packbase.ingest;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.TagManifest;
import dev.packbase.zig.ZigPackageHash;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Writes the deterministic tarball of one Git tree (CONTRACT §4 "Tarball format"): a gzip of a POSIX
 * tar with one top-level directory {@code <pkg>-<tag>/}, entries in Git tree order (the order
 * {@code git archive} uses), directories 0755, files 0644 or 0755 as Git records them, symlinks with
 * their targets, mtime = the commit time, uid/gid 0 and empty owner names. Nothing depends on the
 * machine, the clock or the user: the same tree and time give the same tar bytes everywhere. (The
 * gzip bytes depend on the JVM's zlib; the stored .tar.gz is written once and never regenerated, and
 * determinism is checked on the uncompressed tar's sha256.)
 */
public final class TarballWriter {
    private static final int DIR_MODE = 040755;
    private static final int FILE_MODE = 0100644;
    private static final int EXEC_MODE = 0100755;
    private static final int LINK_MODE = 0120777;

    private final long maxTarballBytes;
    private final int maxFiles;

    public TarballWriter(long maxTarballBytes, int maxFiles) {
        this.maxTarballBytes = maxTarballBytes;
        this.maxFiles = maxFiles;
    }

    /** Digests and counts of one written tarball. */
    public record Result(long gzSize, String gzSha256, String gzMd5, String gzCrc32, long tarSize, String tarSha256,
            int fileCount, List<TagManifest.Gitlink> gitlinks, ZigPackageHash.Result zig) {
    }

    /**
     * Writes the tarball of {@code tree} to {@code out}.
     *
     * @throws PackbaseException limit_exceeded when the tree has too many files or the tarball grows
     *                           too large; bad_request-free: path problems are limit_exceeded too,
     *                           reported as a per-tag warning by the caller
     */
    public Result write(ObjectReader reader, ObjectId tree, String topDirectory, long commitTime, OutputStream out)
            throws IOException {
        // The Zig package hash is computed from the same bytes in the same pass (issue 4): Zig hashes
        // exactly the files it unpacks from this tarball.
        ZigPackageHash.Builder zig = ZigPackageHash.builder();
        DigestingStream gz = new DigestingStream(out, maxTarballBytes, true);
        GZIPOutputStream gzip = new GZIPOutputStream(gz, 1 << 16);
        DigestingStream tar = new DigestingStream(gzip, Long.MAX_VALUE, false);
        TarArchiveOutputStream archive = new TarArchiveOutputStream(tar, StandardCharsets.UTF_8.name());
        archive.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        archive.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        archive.setAddPaxHeadersForNonAsciiNames(true);

        long mtime = Math.max(0, commitTime);
        String top = topDirectory + "/";
        putDirectory(archive, top, mtime);
        int files = 0;
        List<TagManifest.Gitlink> gitlinks = new ArrayList<>();
        byte[] buffer = new byte[1 << 16];
        try (TreeWalk walk = new TreeWalk(reader)) {
            walk.addTree(tree);
            walk.setRecursive(false);
            while (walk.next()) {
                byte[] rawPath = walk.getRawPath();
                String path = checkedPath(rawPath);
                int rawMode = walk.getRawMode(0);
                if (rawMode != 0100644 && rawMode != 0100755 && rawMode != 0120000 && rawMode != 040000
                        && rawMode != 0160000) {
                    // JGit would read e.g. 100664 as a regular file, but the tree id could then not be
                    // reproduced from the tarball, and Zig's git client rejects such trees (InvalidTree).
                    throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED, "unusual git file mode "
                            + Integer.toOctalString(rawMode) + " at '" + path + "'");
                }
                FileMode mode = walk.getFileMode(0);
                if (mode == FileMode.TREE) {
                    putDirectory(archive, top + path + "/", mtime);
                    walk.enterSubtree();
                    continue;
                }
                if (mode == FileMode.GITLINK) {
                    gitlinks.add(new TagManifest.Gitlink(path, walk.getObjectId(0).name()));
                    continue;
                }
                if (++files > maxFiles) {
                    throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED,
                            "more than " + maxFiles + " files (PACKBASE_MAX_FILES)");
                }
                ObjectLoader blob = reader.open(walk.getObjectId(0), Constants.OBJ_BLOB);
                if (mode == FileMode.SYMLINK) {
                    TarArchiveEntry entry = new TarArchiveEntry(top + path, TarConstants.LF_SYMLINK);
                    String target = new String(blob.getCachedBytes(4096), StandardCharsets.UTF_8);
                    entry.setLinkName(target);
                    zig.symlink(path, target);
                    fixMetadata(entry, LINK_MODE, mtime);
                    archive.putArchiveEntry(entry);
                    archive.closeArchiveEntry();
                } else if (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
                    TarArchiveEntry entry = new TarArchiveEntry(top + path, TarConstants.LF_NORMAL);
                    fixMetadata(entry, mode == FileMode.EXECUTABLE_FILE ? EXEC_MODE : FILE_MODE, mtime);
                    entry.setSize(blob.getSize());
                    archive.putArchiveEntry(entry);
                    try (InputStream in = blob.openStream(); OutputStream sink = zig.file(path)) {
                        int n;
                        while ((n = in.read(buffer)) > 0) {
                            archive.write(buffer, 0, n);
                            sink.write(buffer, 0, n);
                        }
                    }
                    archive.closeArchiveEntry();
                } else {
                    throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED,
                            "unsupported git file mode " + mode + " at '" + path + "'");
                }
            }
        }
        archive.finish();
        tar.flush();
        gzip.finish();
        gzip.flush();
        return new Result(gz.count, gz.hex("SHA-256"), gz.hex("MD5"), gz.crc32(), tar.count, tar.hex("SHA-256"), files,
                gitlinks, zig.finish());
    }

    private static void putDirectory(TarArchiveOutputStream archive, String name, long mtime) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_DIR);
        fixMetadata(entry, DIR_MODE, mtime);
        archive.putArchiveEntry(entry);
        archive.closeArchiveEntry();
    }

    private static void fixMetadata(TarArchiveEntry entry, int mode, long mtimeSeconds) {
        entry.setMode(mode);
        entry.setModTime(FileTime.from(mtimeSeconds, TimeUnit.SECONDS));
        entry.setUserId(0);
        entry.setGroupId(0);
        entry.setUserName("");
        entry.setGroupName("");
    }

    /**
     * Git trees may hold names a tarball must not: invalid UTF-8 (the name would change on decoding),
     * {@code .}/{@code ..} components, {@code .git} directories, control characters or backslashes.
     * Such a tag is rejected as a whole rather than served with files silently missing.
     */
    static String checkedPath(byte[] raw) {
        String path = new String(raw, StandardCharsets.UTF_8);
        if (!Arrays.equals(path.getBytes(StandardCharsets.UTF_8), raw)) {
            throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED, "path is not valid UTF-8: '" + path + "'");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                    || segment.toLowerCase(Locale.ROOT).equals(".git")) {
                throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED, "unsafe path '" + path + "'");
            }
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED,
                        "path with a control character or backslash: '" + path.replaceAll("\\p{Cntrl}", "?") + "'");
            }
        }
        return path;
    }

    /** Counts and digests what passes through, and enforces a size limit. */
    private static final class DigestingStream extends FilterOutputStream {
        private final long limit;
        private final MessageDigest sha256 = digest("SHA-256");
        private final MessageDigest md5;
        private final CRC32 crc;
        long count;

        DigestingStream(OutputStream out, long limit, boolean all) {
            super(out);
            this.limit = limit;
            this.md5 = all ? digest("MD5") : null;
            this.crc = all ? new CRC32() : null;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count += len;
            if (count > limit) {
                throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED,
                        "tarball larger than " + limit + " bytes (PACKBASE_MAX_TARBALL_BYTES)");
            }
            sha256.update(b, off, len);
            if (md5 != null) {
                md5.update(b, off, len);
                crc.update(b, off, len);
            }
            out.write(b, off, len);
        }

        String hex(String algorithm) {
            MessageDigest d = algorithm.equals("MD5") ? md5 : sha256;
            return HexFormat.of().formatHex(d.digest());
        }

        String crc32() {
            return String.format("%08x", crc.getValue());
        }

        private static MessageDigest digest(String algorithm) {
            try {
                return MessageDigest.getInstance(algorithm);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
