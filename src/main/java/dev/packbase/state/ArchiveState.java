package dev.packbase.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.domain.ArchiveManifest;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import dev.packbase.zig.ZigPackageHash;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The archive packages of the root, read and written through {@link Storage}: each one's manifest under
 * its legacy hash, and two pointers to it, from its Zig 0.14+ hash and from the URL it was mirrored
 * from. Every object is created once and never changed, so a found manifest is cached for good, and
 * an edge sees a package the central node added on its next lookup, with no reload.
 */
public final class ArchiveState {
    /** A Zig hash in either form; nothing else ever becomes part of a key. */
    private static final Pattern HASH = Pattern.compile("[A-Za-z0-9._+\\-]{44,110}");

    /** A pointer object: the legacy hash of the package a URL or a new-form hash names. */
    record Pointer(String legacyHash) {
    }

    private final Storage storage;
    private final ObjectMapper json;
    private final Map<String, ArchiveManifest> found = new ConcurrentHashMap<>();

    public ArchiveState(Storage storage, ObjectMapper json) {
        this.storage = storage;
        this.json = json;
    }

    /** The archive package with this Zig hash, in either form. */
    public Optional<ArchiveManifest> byHash(String hash) throws IOException {
        if (hash == null || !HASH.matcher(hash).matches() || hash.startsWith(".")) {
            return Optional.empty();
        }
        ArchiveManifest cached = found.get(hash);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<String> legacy = ZigPackageHash.isLegacy(hash) ? Optional.of(hash)
                : read(StorageKeys.archiveByHash(hash), Pointer.class).map(Pointer::legacyHash);
        Optional<ArchiveManifest> manifest = legacy.isEmpty() ? Optional.empty()
                : read(StorageKeys.archiveManifest(legacy.get()), ArchiveManifest.class);
        manifest.ifPresent(m -> found.put(hash, m));
        return manifest;
    }

    /** The archive package mirrored from exactly this URL. */
    public Optional<ArchiveManifest> byUrl(String url) throws IOException {
        Optional<Pointer> pointer = read(StorageKeys.archiveByUrl(digest(url)), Pointer.class);
        return pointer.isEmpty() ? Optional.empty() : byHash(pointer.get().legacyHash());
    }

    /**
     * Stores a package: its tarball, its manifest, then the pointers, each created only if absent (the
     * URL pointer last, the commit point: until it exists the URL is not held, and mirroring it again
     * adopts what is there). When another URL already gave a package with this hash, its tarball and
     * manifest stay and this URL points at them. Returns the manifest now stored under the hash.
     */
    public ArchiveManifest store(ArchiveManifest manifest, Storage.ContentWriter tarball) throws IOException {
        String legacy = manifest.zig().legacyHash();
        storage.createIfAbsent(manifest.tarball().path(), tarball);
        storage.createIfAbsent(StorageKeys.archiveManifest(legacy), out -> json.writeValue(out, manifest));
        if (manifest.zig().hash() != null) {
            storage.createIfAbsent(StorageKeys.archiveByHash(manifest.zig().hash()),
                    out -> json.writeValue(out, new Pointer(legacy)));
        }
        storage.createIfAbsent(StorageKeys.archiveByUrl(digest(manifest.url())),
                out -> json.writeValue(out, new Pointer(legacy)));
        return byHash(legacy).orElseThrow(() -> new IOException("the manifest of " + legacy + " did not land"));
    }

    private <T> Optional<T> read(String key, Class<T> type) throws IOException {
        if (storage.stat(key).isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = storage.open(key)) {
            return Optional.of(json.readValue(in, type));
        }
    }

    private static String digest(String url) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
