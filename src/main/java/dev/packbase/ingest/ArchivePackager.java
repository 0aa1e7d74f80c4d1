package dev.packbase.ingest;

import dev.packbase.zig.ZigPackageHash;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns a downloaded archive into packbase's deterministic tarball of the package and its Zig hash, in
 * two reads of the archive: the first lists the entries and finds the top-level directory Zig strips
 * (notes/zig-client.md §1.4, the Zig 0.15+ rule: the first entry's first component, unless that entry is
 * a top-level file or link, cancelled by any entry outside it); the second writes every file and link
 * below it, in archive order, into the tarball and into the hasher. Directories are implied, as they are
 * for Zig, which keeps no empty ones. The tarball's top directory is the stripped one's name (or
 * {@code package}), its mtime the newest entry's: all of it follows from the archive's bytes alone.
 */
final class ArchivePackager {
    /** The tarball written, its Zig hash, and the top directory that was stripped (null: none). */
    record Packaged(DeterministicTar.Digested tarball, int fileCount, ZigPackageHash.Result zig, String root) {
    }

    private static final String NO_ROOT_TOP = "package";

    private final ArchiveReader reader;
    private final long maxTarballBytes;

    ArchivePackager(ArchiveReader reader, long maxTarballBytes) {
        this.reader = reader;
        this.maxTarballBytes = maxTarballBytes;
    }

    Packaged write(Path archive, ArchiveType type, OutputStream out) throws IOException {
        List<ArchiveReader.Entry> entries = reader.list(archive, type);
        String root = root(entries);
        long mtime = entries.stream().mapToLong(ArchiveReader.Entry::mtime).max().orElse(0);
        String top = (root == null ? NO_ROOT_TOP : root) + "/";
        DeterministicTar tar = new DeterministicTar(out, maxTarballBytes, mtime);
        tar.directory(top);
        ZigPackageHash.Builder zig = ZigPackageHash.builder();
        int[] files = {0};
        reader.read(archive, type, (e, content) -> {
            String path = root == null ? e.path() : e.path().equals(root) ? "" : e.path().substring(root.length() + 1);
            if (e.kind() == ArchiveReader.Kind.DIRECTORY || path.isEmpty()) {
                return;
            }
            try {
                if (e.kind() == ArchiveReader.Kind.SYMLINK) {
                    zig.symlink(path, e.linkTarget());
                    tar.symlink(top + path, e.linkTarget());
                } else {
                    try (OutputStream sink = zig.file(path)) {
                        tar.file(top + path, e.executable(), e.size(), content, sink);
                    }
                }
            } catch (IllegalArgumentException duplicate) {
                // Zig fails such a fetch (PathAlreadyExists): a path twice, or a file that is also a directory.
                throw ArchiveReader.refused(duplicate.getMessage());
            }
            files[0]++;
        });
        return new Packaged(tar.finish(), files[0], zig.finish(), root);
    }

    /** The single top-level directory Zig strips, or null. */
    static String root(List<ArchiveReader.Entry> entries) {
        if (entries.isEmpty()) {
            return null;
        }
        ArchiveReader.Entry first = entries.get(0);
        int slash = first.path().indexOf('/');
        if (slash < 0 && first.kind() != ArchiveReader.Kind.DIRECTORY) {
            return null; // a top-level file or link: no root (Zig 0.15+)
        }
        String candidate = slash < 0 ? first.path() : first.path().substring(0, slash);
        for (ArchiveReader.Entry e : entries) {
            boolean inside = e.path().equals(candidate) ? e.kind() == ArchiveReader.Kind.DIRECTORY
                    : e.path().startsWith(candidate + "/");
            if (!inside) {
                return null;
            }
        }
        return candidate;
    }
}
