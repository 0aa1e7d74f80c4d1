package dev.packbase.ingest;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The byte format of every tarball packbase writes (CONTRACT §4 "Tarball format"): a gzip of a POSIX tar,
 * entries in the order they are put, directories 0755, files 0644 or 0755, symlinks with their targets,
 * one mtime for all, uid/gid 0 and empty owner names, long and non-ASCII names in pax headers. Nothing
 * depends on the machine, the clock or the user. It counts and digests the gzip and the tar as they
 * pass, and stops with limit_exceeded when the gzip outgrows its limit.
 */
final class DeterministicTar {
    private static final int DIR_MODE = 040755;
    private static final int FILE_MODE = 0100644;
    private static final int EXEC_MODE = 0100755;
    private static final int LINK_MODE = 0120777;

    /** Sizes and digests of the written gzip and of the tar inside it. */
    record Digested(long gzSize, String gzSha256, String gzMd5, String gzCrc32, long tarSize, String tarSha256) {
    }

    private final DigestingStream gz;
    private final GZIPOutputStream gzip;
    private final DigestingStream tar;
    private final TarArchiveOutputStream archive;
    private final FileTime mtime;
    private final byte[] buffer = new byte[1 << 16];

    DeterministicTar(OutputStream out, long maxGzipBytes, long mtimeSeconds) throws IOException {
        gz = new DigestingStream(out, maxGzipBytes, true);
        gzip = new GZIPOutputStream(gz, 1 << 16);
        tar = new DigestingStream(gzip, Long.MAX_VALUE, false);
        archive = new TarArchiveOutputStream(tar, StandardCharsets.UTF_8.name());
        archive.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        archive.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        archive.setAddPaxHeadersForNonAsciiNames(true);
        mtime = FileTime.from(Math.max(0, mtimeSeconds), TimeUnit.SECONDS);
    }

    /** A directory entry; {@code name} ends in '/'. */
    void directory(String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_DIR);
        fix(entry, DIR_MODE);
        archive.putArchiveEntry(entry);
        archive.closeArchiveEntry();
    }

    void symlink(String name, String target) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        entry.setLinkName(target);
        fix(entry, LINK_MODE);
        archive.putArchiveEntry(entry);
        archive.closeArchiveEntry();
    }

    /** A regular file of {@code size} bytes read from {@code in}, each chunk also written to {@code copy}. */
    void file(String name, boolean executable, long size, InputStream in, OutputStream copy) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
        fix(entry, executable ? EXEC_MODE : FILE_MODE);
        entry.setSize(size);
        archive.putArchiveEntry(entry);
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("'" + name + "' ended " + left + " bytes early");
            }
            archive.write(buffer, 0, n);
            copy.write(buffer, 0, n);
            left -= n;
        }
        archive.closeArchiveEntry();
    }

    Digested finish() throws IOException {
        archive.finish();
        tar.flush();
        gzip.finish();
        gzip.flush();
        return new Digested(gz.count, gz.hex("SHA-256"), gz.hex("MD5"), gz.crc32(), tar.count, tar.hex("SHA-256"));
    }

    private void fix(TarArchiveEntry entry, int mode) {
        entry.setMode(mode);
        entry.setModTime(mtime);
        entry.setUserId(0);
        entry.setGroupId(0);
        entry.setUserName("");
        entry.setGroupName("");
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
