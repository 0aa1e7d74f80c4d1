package dev.packbase.http;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.ArchiveManifest;
import dev.packbase.domain.CommitId;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.ServedPackage;
import dev.packbase.domain.TagEntry;
import dev.packbase.domain.ZigInfo;
import java.io.IOException;
import java.util.Optional;
import dev.packbase.domain.ServedPackage.ServedTag;
import dev.packbase.domain.TagName;
import dev.packbase.state.ArchiveState;
import dev.packbase.state.PackageState;
import dev.packbase.storage.StorageKeys;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a tarball path into the tag it names: {@code /p/<pkg>/tag/<tag>.<ext>} or {@code /h/<zig hash>.tar.gz},
 * or throws the 404 to answer. Only tags the registry knows and well-formed hashes resolve, so no request path
 * reaches storage except as a checked hash.
 * Shared by the tarball routes and the launcher's fast path.
 */
final class TarballResolver {
    /** Zig hashes: {@code 1220} + 64 hex, or {@code name-version-<44 base64url>} (at most 110 characters). */
    private static final Pattern HASH_PATH = Pattern.compile("/([A-Za-z0-9._+\\-]{44,110})\\.tar\\.gz");

    /** What of a tag a path asks for. */
    enum Kind {
        TARBALL, MANIFEST, SNIPPET
    }

    /** A tarball a request path names: its key, its sha256 (the ETag) and how messages name it. */
    sealed interface Target {
        String tarballKey();

        String sha256();

        /** {@code cairo 1.2.0}, {@code cairo commit <id>} or {@code archive package <hash>}. */
        String label();

        Kind kind();
    }

    /** The tag or pinned commit a request path names, and what of it is asked for. */
    record Version(PackageName pkg, RefKind ref, ServedTag tag, Kind kind) implements Target {
        @Override
        public String tarballKey() {
            return StorageKeys.tarball(pkg, ref, tag.tag());
        }

        String manifestKey() {
            return StorageKeys.manifest(pkg, ref, tag.tag());
        }

        @Override
        public String sha256() {
            return tag.sha256();
        }

        /** How messages name the version: {@code 1.2.0}, or {@code commit <id>}. */
        String version() {
            return (ref == RefKind.COMMIT ? "commit " : "") + tag.tag();
        }

        @Override
        public String label() {
            return pkg + " " + version();
        }
    }

    /** An archive package's tarball ({@code /h/} only: it has no other path). */
    record Archive(ArchiveManifest manifest) implements Target {
        @Override
        public String tarballKey() {
            return manifest.tarball().path();
        }

        @Override
        public String sha256() {
            return manifest.tarball().sha256();
        }

        @Override
        public String label() {
            return "archive package " + manifest.zig().legacyHash();
        }

        @Override
        public Kind kind() {
            return Kind.TARBALL;
        }
    }

    private final PackageState registry;
    private final ArchiveState archives;

    TarballResolver(PackageState registry, ArchiveState archives) {
        this.registry = registry;
        this.archives = archives;
    }

    /**
     * {@code rest} of {@code /p/*}: {@code /<pkg>/tag/<tag>.tar.gz}, {@code .json} or {@code .zon}, or the
     * same under {@code /<pkg>/commit/<full commit id>}.
     */
    Version byTag(String rest, String requestUri) {
        // Hand-parsed: this runs for every download, where a regex is a visible part of the CPU time.
        TarballPath p = TarballPath.parse(rest);
        if (p == null || !PackageName.isValid(p.pkg()) || !TagName.isServable(p.tag())) {
            throw PackbaseException.notFound("no such resource: " + requestUri);
        }
        PackageName pkg = new PackageName(p.pkg());
        String tagName = p.tag();
        ServedPackage served = registry.served(pkg).orElseThrow(() -> new PackbaseException(ErrorCode.NOT_FOUND,
                "package '" + pkg + "' is not known here", Map.of("package", pkg.value()), null));
        String what = p.ref() == RefKind.TAG ? "tag" : "commit";
        ServedTag tag = served.entry(p.ref(), tagName).orElseThrow(() -> new PackbaseException(ErrorCode.NOT_FOUND,
                "package '" + pkg + "' has no tarball for " + what + " '" + tagName + "'",
                Map.of("package", pkg.value(), what, tagName), null));
        return new Version(pkg, p.ref(), tag, p.kind());
    }

    /**
     * {@code rest} of {@code /h/*}: {@code /<zig hash>.tar.gz}, a version's tarball (from memory) or an
     * archive package's (from storage).
     */
    Target byHash(String rest) throws IOException {
        Matcher h = HASH_PATH.matcher(rest);
        if (h.matches()) {
            PackageState.TagRef ref = registry.findByZigHash(h.group(1)).orElse(null);
            if (ref != null) {
                PackageName pkg = new PackageName(ref.packageName());
                return new Version(pkg, ref.kind(), registry.served(pkg).orElseThrow().entry(ref.kind(), ref.tag())
                        .orElseThrow(), Kind.TARBALL);
            }
            Optional<ArchiveManifest> archive = archives.byHash(h.group(1));
            if (archive.isPresent()) {
                return new Archive(archive.get());
            }
        }
        throw new PackbaseException(ErrorCode.NOT_FOUND, "no tarball has the Zig package hash '"
                + (h.matches() ? h.group(1) : rest) + "'", Map.of(), null);
    }

    /** The version's Zig metadata (for the {@code .zon} snippet), from the stored record. */
    Optional<ZigInfo> zig(PackageName pkg, RefKind ref, String name) throws IOException {
        return registry.find(pkg).flatMap(r -> r.entry(ref, name))
                .map(TagEntry::zig);
    }

    /**
     * {@code /<pkg>/tag/<tag>.<extension>} split without a regex; the same language as the pattern
     * {@code /([^/]+)/(tag|commit)/([^/]+)\\.(tar\\.gz|json|zon)}, where a commit is 40 lowercase hex.
     * Null when the path does not have that shape.
     */
    record TarballPath(String pkg, RefKind ref, String tag, Kind kind) {
        private static final String[] EXTENSIONS = {"tar.gz", "json", "zon"};
        private static final Kind[] KINDS = {Kind.TARBALL, Kind.MANIFEST, Kind.SNIPPET};

        static TarballPath parse(String path) {
            int slash = path.indexOf('/', 1);
            if (!path.startsWith("/") || slash < 2) {
                return null;
            }
            RefKind ref = path.startsWith("/tag/", slash) ? RefKind.TAG
                    : path.startsWith("/commit/", slash) ? RefKind.COMMIT : null;
            if (ref == null) {
                return null;
            }
            int tagStart = slash + ref.segment().length() + 2;
            if (path.indexOf('/', tagStart) >= 0) {
                return null;
            }
            for (int i = 0; i < EXTENSIONS.length; i++) {
                String extension = EXTENSIONS[i];
                int dot = path.length() - extension.length() - 1;
                if (dot > tagStart && path.charAt(dot) == '.' && path.endsWith(extension)) {
                    String name = path.substring(tagStart, dot);
                    if (ref == RefKind.COMMIT && !CommitId.isFull(name)) {
                        return null;
                    }
                    return new TarballPath(path.substring(1, slash), ref, name, KINDS[i]);
                }
            }
            return null;
        }
    }
}
