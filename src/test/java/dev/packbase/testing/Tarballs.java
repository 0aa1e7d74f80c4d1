package dev.packbase.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads tar and tar.gz bytes into comparable entries (name, type, permission bits, content or link target),
 * and checks that a root holds none.
 */
public final class Tarballs {
    private Tarballs() {
    }

    /** One archive entry; {@code content} is the file bytes, or the link target for a symlink. */
    public record Entry(String name, char type, int mode, String content) {
    }

    /** Asserts that no tarball was written anywhere under {@code root}: a refused ingest stores nothing. */
    public static void assertNoneUnder(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tar.gz")), "no tarball was written");
        }
    }

    public static byte[] gunzip(byte[] gz) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Entries in archive order, keyed by name; pax global headers (git archive's commit id) are skipped. */
    public static Map<String, Entry> entries(byte[] tar) {
        Map<String, Entry> out = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar), "UTF-8")) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.isGlobalPaxHeader()) {
                    continue;
                }
                char type = e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : e.isFile() ? 'f' : '?';
                String content = switch (type) {
                    case 'l' -> e.getLinkName();
                    case 'f' -> new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                    default -> "";
                };
                if (out.put(e.getName(), new Entry(e.getName(), type, e.getMode() & 07777, content)) != null) {
                    throw new AssertionError("duplicate tar entry " + e.getName());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
