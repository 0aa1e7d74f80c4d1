package dev.packbase.closure;

import dev.packbase.state.ZigHashes;
import dev.packbase.storage.Storage;
import dev.packbase.zig.ZigPathFilter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes the offline bundle of a complete closure: one {@code .tar.gz} holding, for every package,
 * {@code zig-pkg/<hash>/…} with exactly the files Zig keeps for that hash (its tarball below the top
 * directory, filtered by its {@code .paths}), under the hash its parent declared. Extracted in a
 * project, Zig 0.16+ finds them in {@code zig-pkg/}; moved into {@code $ZIG_GLOBAL_CACHE_DIR/p/}, Zig
 * 0.13–0.15 find them there, and neither touches the network for them.
 */
public final class Bundler {
    private final ZigHashes hashes;
    private final Storage storage;

    public Bundler(ZigHashes hashes, Storage storage) {
        this.hashes = hashes;
        this.storage = storage;
    }

    /** Writes the bundle of {@code closure} (complete: every node ok or a path) to {@code out}. */
    public void write(Closure closure, OutputStream out) throws IOException {
        GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        Set<String> written = new HashSet<>();
        for (Closure.Node node : closure.nodes()) {
            if (node.status() != Closure.Status.OK) {
                continue;
            }
            String dir = node.hash() != null ? node.hash() : node.computedHash();
            if (written.add(dir)) {
                copy(node.computedHash(), "zig-pkg/" + dir + "/", tar);
            }
        }
        tar.finish();
        gzip.finish();
        gzip.flush();
    }

    /** Copies the kept files of the tarball with Zig hash {@code hash} to {@code prefix}. */
    private void copy(String hash, String prefix, TarArchiveOutputStream out) throws IOException {
        ZigHashes.Held held = hashes.find(hash)
                .orElseThrow(() -> new IOException("no tarball has the hash " + hash + " any more"));
        List<String> paths = held.zig() == null ? null : held.zig().paths();
        ZigPathFilter filter = ZigPathFilter.of(paths);
        try (InputStream in = storage.open(held.tarballKey());
                TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in, 1 << 16),
                        StandardCharsets.UTF_8.name())) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                // Our tarballs have one top directory, which Zig strips; directories follow from the files.
                String name = e.getName();
                int slash = name.indexOf('/');
                String path = slash < 0 ? "" : name.substring(slash + 1);
                if (e.isDirectory() || path.isEmpty() || !filter.includes(path)) {
                    continue;
                }
                TarArchiveEntry copy = new TarArchiveEntry(prefix + path, e.isSymbolicLink()
                        ? org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK
                        : org.apache.commons.compress.archivers.tar.TarConstants.LF_NORMAL);
                copy.setMode(e.getMode());
                copy.setModTime(e.getLastModifiedTime());
                copy.setUserId(0);
                copy.setGroupId(0);
                copy.setUserName("");
                copy.setGroupName("");
                if (e.isSymbolicLink()) {
                    copy.setLinkName(e.getLinkName());
                } else {
                    copy.setSize(e.getSize());
                }
                out.putArchiveEntry(copy);
                if (!e.isSymbolicLink()) {
                    tar.transferTo(out);
                }
                out.closeArchiveEntry();
            }
        }
    }
}
