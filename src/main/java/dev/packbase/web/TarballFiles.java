package dev.packbase.web;

import dev.packbase.storage.Storage;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The files inside a stored tarball, as the web face shows them: the listing (kept for the most recently
 * shown tarballs, by sha256, since a tarball never changes) and one file's first bytes. Paths are
 * relative to the tarball's single top directory ({@code <pkg>-<tag>/}).
 */
final class TarballFiles {
    private static final int CACHED_LISTINGS = 256;

    enum Kind { FILE, DIRECTORY, SYMLINK }

    /** One entry; {@code path} has no leading or trailing {@code /}. */
    record Entry(String path, Kind kind, long size, String linkTarget) {

        String name() {
            return path.substring(path.lastIndexOf('/') + 1);
        }

        String parent() {
            int slash = path.lastIndexOf('/');
            return slash < 0 ? "" : path.substring(0, slash);
        }
    }

    /** Every entry of one tarball, in tarball (sorted) order. */
    record Listing(List<Entry> entries) {

        Listing {
            entries = List.copyOf(entries);
        }

        /** The entries directly inside {@code dir} ({@code ""} for the top), directories first. */
        List<Entry> children(String dir) {
            List<Entry> dirs = new ArrayList<>();
            List<Entry> files = new ArrayList<>();
            for (Entry e : entries) {
                if (e.parent().equals(dir)) {
                    (e.kind() == Kind.DIRECTORY ? dirs : files).add(e);
                }
            }
            dirs.addAll(files);
            return dirs;
        }

        Optional<Entry> find(String path) {
            return entries.stream().filter(e -> e.path().equals(path)).findFirst();
        }

        int fileCount() {
            return (int) entries.stream().filter(e -> e.kind() != Kind.DIRECTORY).count();
        }
    }

    /** A file's first bytes, and whether there were more. */
    record Content(byte[] bytes, boolean truncated) {
    }

    private final Storage storage;
    private final Map<String, Listing> listings = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Listing> eldest) {
            return size() > CACHED_LISTINGS;
        }
    };

    TarballFiles(Storage storage) {
        this.storage = storage;
    }

    /** The listing of the tarball at {@code key} whose sha256 is {@code sha256}. */
    Listing list(String key, String sha256) throws IOException {
        synchronized (listings) {
            Listing cached = listings.get(sha256);
            if (cached != null) {
                return cached;
            }
        }
        List<Entry> entries = new ArrayList<>();
        try (TarArchiveInputStream tar = open(key)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String path = relative(e.getName());
                if (!path.isEmpty()) {
                    Kind kind = e.isDirectory() ? Kind.DIRECTORY : e.isSymbolicLink() ? Kind.SYMLINK : Kind.FILE;
                    entries.add(new Entry(path, kind, e.getSize(), e.isSymbolicLink() ? e.getLinkName() : null));
                }
            }
        }
        Listing listing = new Listing(entries);
        synchronized (listings) {
            listings.put(sha256, listing);
        }
        return listing;
    }

    /** The first {@code max} bytes of the regular file at {@code path}; empty when there is none. */
    Optional<Content> read(String key, String path, int max) throws IOException {
        try (TarArchiveInputStream tar = open(key)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (e.isFile() && relative(e.getName()).equals(path)) {
                    byte[] bytes = tar.readNBytes(max);
                    return Optional.of(new Content(bytes, e.getSize() > bytes.length));
                }
            }
        }
        return Optional.empty();
    }

    private TarArchiveInputStream open(String key) throws IOException {
        InputStream in = storage.open(key);
        try {
            return new TarArchiveInputStream(new GZIPInputStream(new BufferedInputStream(in, 1 << 16), 1 << 16), "UTF-8");
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The path below the top directory, without a trailing {@code /}. */
    private static String relative(String name) {
        int slash = name.indexOf('/');
        String rest = slash < 0 ? "" : name.substring(slash + 1);
        return rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
    }
}
