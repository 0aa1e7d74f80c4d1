package dev.packbase.state;

import dev.packbase.domain.ArchiveManifest;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PublicPaths;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.TagEntry;
import dev.packbase.domain.ZigInfo;
import dev.packbase.storage.StorageKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Which package a Zig package hash (either form) names here: a tag or pinned commit of a Git package,
 * found in the registry's memory, or else an archive package, found in storage. What bundles, rewrites
 * and the dependency status of {@code /api/info} ask.
 */
public final class ZigHashes {
    /** A package held under a hash: its tarball, where it is served, and its Zig metadata. */
    public sealed interface Held {
        String tarballKey();

        /** The public path of its tarball ({@code /p/…} for a version, {@code /h/…} for an archive). */
        String publicPath();

        ZigInfo zig();
    }

    /** A tag or pinned commit of a Git package. */
    public record Version(PackageName pkg, RefKind kind, TagEntry entry) implements Held {
        @Override
        public String tarballKey() {
            return StorageKeys.tarball(pkg, kind, entry.tag());
        }

        @Override
        public String publicPath() {
            return PublicPaths.tarball(pkg, kind, entry.tag());
        }

        @Override
        public ZigInfo zig() {
            return entry.zig();
        }
    }

    /** An archive package. */
    public record Archive(ArchiveManifest manifest) implements Held {
        @Override
        public String tarballKey() {
            return manifest.tarball().path();
        }

        @Override
        public String publicPath() {
            return PublicPaths.byZigHash(manifest.zig().legacyHash());
        }

        @Override
        public ZigInfo zig() {
            return manifest.zig();
        }
    }

    private final PackageState state;
    private final ArchiveState archives;

    public ZigHashes(PackageState state, ArchiveState archives) {
        this.state = state;
        this.archives = archives;
    }

    /** Whether a package is held under this hash, without reading a Git package's record. */
    public boolean holds(String hash) {
        try {
            return state.findByZigHash(hash).isPresent() || archives.byHash(hash).isPresent();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look up the Zig hash " + hash, e);
        }
    }

    public Optional<Held> find(String hash) {
        try {
            Optional<PackageState.TagRef> ref = state.findByZigHash(hash);
            if (ref.isPresent()) {
                PackageName pkg = new PackageName(ref.get().packageName());
                Optional<TagEntry> entry = state.find(pkg).flatMap(r -> r.entry(ref.get().kind(), ref.get().tag()));
                if (entry.isPresent()) {
                    return Optional.of(new Version(pkg, ref.get().kind(), entry.get()));
                }
            }
            return archives.byHash(hash).map(Archive::new);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look up the Zig hash " + hash, e);
        }
    }
}
