package dev.packbase.ingest;

import dev.packbase.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.GZIPInputStream;

/**
 * Re-reads a stored .tar.gz and computes the digests a manifest records: of the compressed bytes and
 * of the uncompressed tar. Used to adopt a tarball whose manifest was lost, and to verify storage.
 */
public record Digests(long size, String sha256, String md5, String crc32, String tarSha256) {

    public static Digests of(Storage storage, String key) throws IOException {
        try (InputStream raw = storage.open(key)) {
            return of(raw, tar -> { });
        }
    }

    /** Reads the uncompressed tar while it is digested. */
    @FunctionalInterface
    public interface TarReader {
        void read(InputStream tar) throws IOException;
    }

    /**
     * The digests of a .tar.gz read to its end from {@code raw} (which the caller closes); {@code reader} sees
     * the uncompressed tar on the way, and what it leaves unread is digested all the same.
     */
    public static Digests of(InputStream raw, TarReader reader) throws IOException {
        MessageDigest sha = digest("SHA-256");
        MessageDigest md5 = digest("MD5");
        CRC32 crc = new CRC32();
        MessageDigest tarSha = digest("SHA-256");
        long[] size = new long[1];
        InputStream counted = new CheckedInputStream(new DigestInputStream(new DigestInputStream(raw, sha), md5), crc) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    size[0] += n;
                }
                return n;
            }

            @Override
            public int read() throws IOException {
                int c = super.read();
                if (c >= 0) {
                    size[0]++;
                }
                return c;
            }

            @Override
            public void close() {
                // raw is the caller's to close
            }
        };
        try (InputStream tar = new DigestInputStream(new GZIPInputStream(counted, 1 << 16), tarSha)) {
            reader.read(tar);
            tar.transferTo(OutputStream.nullOutputStream());
            // Count any bytes after the gzip member too: the size must be the stored object's.
            counted.transferTo(OutputStream.nullOutputStream());
        }
        HexFormat hex = HexFormat.of();
        return new Digests(size[0], hex.formatHex(sha.digest()), hex.formatHex(md5.digest()),
                String.format("%08x", crc.getValue()), hex.formatHex(tarSha.digest()));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
