package dev.packbase.zig;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Computes the hash by which Zig names a package, from the package's files, exactly as
 * {@code zig fetch} does after unpacking (notes/zig-client.md §3):
 *
 * <ol>
 *   <li>the root build.zig.zon, if any, is parsed and its {@code .paths} decide which files count
 *       ({@link ZigPathFilter}); if it is present but does not load, Zig fails and so do we: no hash;</li>
 *   <li>each kept entry gets a SHA-256: of path ‖ 0x00 0x00 ‖ content for a regular file (the second
 *       byte was the executable bit, hard-wired to 0 since 0.12), of path ‖ link target for a
 *       symlink;</li>
 *   <li>entries are sorted by the unsigned bytes of their paths, and D = SHA-256 of their digests
 *       concatenated; total size = the sum of the kept regular files' sizes.</li>
 * </ol>
 *
 * <p>Two spellings of the result exist. Zig 0.12 and 0.13 print {@code "1220" + hex(D)}, which 0.14
 * and 0.15 still accept in a build.zig.zon and 0.16 refuses. Zig 0.14 and later print
 * {@code name-version-base64url(id LE32 ‖ min(size, 2^32-1) LE32 ‖ D[0..25])}, where the id is the
 * low half of the fingerprint, 0 for a manifest without one, and 0xffff with name {@code N} and
 * version {@code V} for a package without build.zig.zon.
 *
 * <p>The {@link Builder} is fed one entry at a time while the caller writes the tarball, so file
 * contents are never buffered; only the root build.zig.zon is kept (at most 10 MiB, Zig's limit)
 * because {@code .paths} is only known once it has been read, and it may come anywhere in the stream.
 */
public final class ZigPackageHash {
    /** The base64url part of a new-form hash: 33 bytes, 44 characters, no padding. */
    public static final int NEW_HASH_SUFFIX_CHARS = 44;
    /** The id Zig uses for a package without build.zig.zon: a leftover of 16-bit ids, not 0xffffffff. */
    public static final long NAKED_ID = 0xffff;
    /** Zig's upper bound on a hash string (0.14 and later). */
    public static final int MAX_HASH_CHARS = 110;
    public static final String MANIFEST_PATH = "build.zig.zon";

    private static final int DIGEST_BYTES_IN_NEW_HASH = 25;
    private static final long U32_MAX = 0xFFFF_FFFFL;
    private static final HexFormat HEX = HexFormat.of();

    private ZigPackageHash() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The 0.12/0.13 form: sha2-256 multihash, {@code "1220" + hex(digest)}. */
    public static String legacyHash(byte[] digest) {
        requireDigest(digest);
        return "1220" + HEX.formatHex(digest);
    }

    /**
     * The 0.14+ form. {@code id} is the unsigned 32-bit fingerprint id; {@code totalSize} is
     * saturated at 2^32-1 here.
     */
    public static String newHash(String name, String version, long id, long totalSize, byte[] digest) {
        requireDigest(digest);
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + DIGEST_BYTES_IN_NEW_HASH).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt((int) (id & U32_MAX));
        b.putInt((int) Math.min(Math.max(totalSize, 0), U32_MAX));
        b.put(digest, 0, DIGEST_BYTES_IN_NEW_HASH);
        return name + "-" + version + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /**
     * The fingerprint id encoded in a new-form hash (Zig's {@code Hash.projectId}), or null for a
     * legacy hash or a string that is not a hash.
     */
    public static Long projectId(String hash) {
        if (isLegacy(hash) || hash.length() < NEW_HASH_SUFFIX_CHARS || hash.length() > MAX_HASH_CHARS) {
            return null;
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(hash.substring(hash.length() - NEW_HASH_SUFFIX_CHARS));
        } catch (IllegalArgumentException e) {
            return null;
        }
        return ByteBuffer.wrap(raw, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & U32_MAX;
    }

    /** True for a {@code 1220} + 64 hex digit string. */
    public static boolean isLegacy(String hash) {
        return hash.length() == 68 && hash.startsWith("1220") && hash.chars().skip(4).allMatch(
                c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    private static void requireDigest(byte[] digest) {
        if (digest.length != 32) {
            throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, not " + digest.length);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * What Zig would name the package.
     *
     * @param legacyHash            {@code 1220…}: what 0.12-0.13 print; 0.14-0.15 accept it too; null
     *                              only when the manifest did not load
     * @param hash                  the 0.14+ form, or null when no Zig ≥ 0.14 would load this manifest
     * @param hashUnavailableReason why {@code hash} is null, else null
     * @param digest                hex of D, or null when the manifest did not load
     * @param totalSize             bytes of the kept regular files, not saturated
     * @param fileCount             kept files and symlinks
     * @param manifest              the parsed root build.zig.zon, null when absent or broken
     * @param manifestError         why the build.zig.zon that is present does not load, else null
     * @param acceptedBy            the eras whose Zig would fetch this package
     * @param warnings              manifest warnings and packaging advice
     */
    public record Result(
            String legacyHash,
            String hash,
            String hashUnavailableReason,
            String digest,
            long totalSize,
            int fileCount,
            ZigManifest manifest,
            String manifestError,
            Set<ZigEra> acceptedBy,
            List<String> warnings) {

        public Result {
            acceptedBy = acceptedBy.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(acceptedBy));
            warnings = List.copyOf(warnings);
        }

        /** No build.zig.zon at the package root (not even a broken one). */
        public boolean naked() {
            return manifest == null && manifestError == null;
        }

        /**
         * The hash a Zig of this era prints for the package, and expects in a build.zig.zon, or null
         * when that Zig refuses it. 0.14-0.15 also accept {@link #legacyHash} in a build.zig.zon but
         * then re-download the package on every build (#23130).
         */
        public String hashFor(ZigEra era) {
            if (!acceptedBy.contains(era)) {
                return null;
            }
            return era.usesNewHash() ? hash : legacyHash;
        }
    }

    /**
     * Collects the entries of one unpacked package. Paths are relative to the package root,
     * '/'-separated, without {@code .}, {@code ..} or empty components. Directories are implied and
     * never hashed (empty ones do not exist for Zig). Not thread-safe; one entry is open at a time.
     */
    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();
        private final Set<String> paths = new HashSet<>();
        private final Set<String> directories = new HashSet<>();
        private FileSink open;
        private ByteArrayOutputStream manifestBytes;
        private boolean manifestTooLarge;
        private boolean manifestIsSymlink;
        private boolean finished;

        private Builder() {
        }

        /**
         * Starts a regular file. Write its content to the returned sink, then close it before the
         * next entry. The executable bit does not matter to the hash.
         */
        public FileSink file(String path) {
            byte[] pathBytes = claim(path);
            FileSink sink = new FileSink(this, path, pathBytes, path.equals(MANIFEST_PATH));
            open = sink;
            return sink;
        }

        /** A whole regular file at once. */
        public Builder file(String path, byte[] content) {
            try (FileSink s = file(path)) {
                s.write(content, 0, content.length);
            }
            return this;
        }

        /** A symbolic link; the target is hashed as text and never followed. */
        public Builder symlink(String path, String target) {
            byte[] pathBytes = claim(path);
            MessageDigest md = sha256();
            md.update(pathBytes);
            md.update(target.getBytes(StandardCharsets.UTF_8));
            entries.add(new Entry(path, pathBytes, true, md.digest(), 0));
            if (path.equals(MANIFEST_PATH)) {
                manifestIsSymlink = true;
            }
            return this;
        }

        /**
         * A regular file whose per-file digest was computed elsewhere. For tests that need sizes no
         * test should stream (above 4 GiB).
         */
        Builder precomputedFile(String path, byte[] fileDigest, long size) {
            entries.add(new Entry(path, claim(path), false, fileDigest.clone(), size));
            return this;
        }

        private byte[] claim(String path) {
            if (finished) {
                throw new IllegalStateException("finish() was already called");
            }
            if (open != null) {
                throw new IllegalStateException("close the sink of " + open.path + " before adding " + path);
            }
            checkPath(path);
            if (paths.contains(path) || directories.contains(path)) {
                throw new IllegalArgumentException("duplicate path " + path);
            }
            List<String> ancestors = new ArrayList<>();
            for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
                String dir = path.substring(0, slash);
                if (paths.contains(dir)) {
                    throw new IllegalArgumentException(dir + " is both a file and a directory");
                }
                ancestors.add(dir);
            }
            paths.add(path);
            directories.addAll(ancestors);
            return path.getBytes(StandardCharsets.UTF_8);
        }

        private static void checkPath(String path) {
            if (path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("not a relative package path: '" + path + "'");
            }
            for (String c : path.split("/", -1)) {
                if (c.isEmpty() || c.equals(".") || c.equals("..")) {
                    throw new IllegalArgumentException("path has an empty, '.' or '..' component: " + path);
                }
            }
        }

        void closed(FileSink sink, byte[] digest, long size, ByteArrayOutputStream captured, boolean tooLarge) {
            entries.add(new Entry(sink.path, sink.pathBytes, false, digest, size));
            if (sink.captureManifest) {
                manifestBytes = captured;
                manifestTooLarge = tooLarge;
            }
            open = null;
        }

        /** Applies build.zig.zon and computes both hash forms. The builder cannot be used afterwards. */
        public Result finish() {
            if (open != null) {
                throw new IllegalStateException("the sink of " + open.path + " is still open");
            }
            finished = true;
            ZigManifest manifest = null;
            String manifestError = null;
            boolean hasManifest = paths.contains(MANIFEST_PATH) || directories.contains(MANIFEST_PATH);
            if (directories.contains(MANIFEST_PATH)) {
                manifestError = "build.zig.zon is a directory";
            } else if (manifestIsSymlink) {
                // Zig would read the link's target; packbase hashes links without following them.
                manifestError = "build.zig.zon is a symlink, which packbase does not follow";
            } else if (manifestTooLarge) {
                manifestError = "build.zig.zon is larger than " + ZonParser.MAX_SOURCE_BYTES
                        + " bytes, Zig's limit";
            } else if (hasManifest) {
                try {
                    manifest = ZigManifest.parse(manifestBytes.toByteArray());
                } catch (ZonParseException e) {
                    manifestError = "build.zig.zon:" + e.getMessage();
                }
            }
            if (manifestError != null) {
                return new Result(null, null, "Zig cannot load the package manifest: " + manifestError, null, 0, 0,
                        null, manifestError, Set.of(), List.of("Zig refuses this package: " + manifestError));
            }

            ZigPathFilter filter = manifest == null ? ZigPathFilter.of(null) : ZigPathFilter.of(manifest.paths());
            List<Entry> kept = new ArrayList<>();
            for (Entry e : entries) {
                if (filter.includes(e.path)) {
                    kept.add(e);
                }
            }
            kept.sort((a, b) -> Arrays.compareUnsigned(a.pathBytes, b.pathBytes));
            MessageDigest all = sha256();
            long total = 0;
            for (Entry e : kept) {
                all.update(e.digest);
                total += e.size;
            }
            byte[] d = all.digest();

            List<String> warnings = new ArrayList<>();
            Set<ZigEra> accepted = EnumSet.noneOf(ZigEra.class);
            for (ZigEra era : ZigEra.values()) {
                if (manifest == null || manifest.acceptedBy(era)) {
                    accepted.add(era);
                }
            }
            if (manifest != null) {
                for (ZigManifest.Warning w : manifest.warnings()) {
                    warnings.add(w.toString());
                }
            }
            adviseOnPaths(manifest, filter, kept, warnings);

            String hash;
            String reason = null;
            if (manifest == null) {
                hash = newHash("N", "V", NAKED_ID, total, d);
            } else if (accepted.contains(ZigEra.ZIG_0_14_TO_0_15) || accepted.contains(ZigEra.ZIG_0_16_AND_LATER)) {
                long id = manifest.fingerprint() == null ? 0 : manifest.fingerprintId();
                hash = newHash(manifest.name(), manifest.hashVersion(), id, total, d);
            } else {
                hash = null;
                Set<String> why = new LinkedHashSet<>(manifest.rejectionsFor(ZigEra.ZIG_0_14_TO_0_15));
                why.addAll(manifest.rejectionsFor(ZigEra.ZIG_0_16_AND_LATER));
                reason = "no Zig 0.14+ loads this manifest: " + String.join("; ", why);
            }
            if (total > U32_MAX && hash != null) {
                warnings.add("the package holds " + total + " bytes; the new hash form records 4294967295 (saturated)");
            }
            return new Result(legacyHash(d), hash, reason, HEX.formatHex(d), total, kept.size(), manifest, null,
                    accepted, warnings);
        }

        private void adviseOnPaths(ZigManifest manifest, ZigPathFilter filter, List<Entry> kept, List<String> out) {
            if (kept.isEmpty()) {
                out.add("no files are included in the package hash");
            }
            if (manifest != null && manifest.paths() != null) {
                Set<String> keptDirs = new HashSet<>();
                Set<String> keptPaths = new HashSet<>();
                for (Entry e : kept) {
                    keptPaths.add(e.path);
                    for (int s = e.path.indexOf('/'); s >= 0; s = e.path.indexOf('/', s + 1)) {
                        keptDirs.add(e.path.substring(0, s));
                    }
                }
                for (String entry : filter.entries()) {
                    if (!entry.equals(".") && !keptPaths.contains(entry) && !keptDirs.contains(entry)) {
                        out.add(".paths entry \"" + entry + "\" matches no file");
                    }
                }
                if (paths.contains("build.zig") && !filter.includes("build.zig")) {
                    out.add(".paths does not include build.zig, so dependents cannot build this package");
                }
            }
            Map<String, String> folded = new HashMap<>();
            for (Entry e : kept) {
                String other = folded.putIfAbsent(e.path.toLowerCase(Locale.ROOT), e.path);
                if (other != null) {
                    out.add("paths " + other + " and " + e.path
                            + " differ only in case; the package breaks on case-insensitive file systems");
                }
            }
        }
    }

    /** One hashed entry. */
    private record Entry(String path, byte[] pathBytes, boolean symlink, byte[] digest, long size) {
    }

    /**
     * Receives the content of one regular file, hashing it on the fly. Closing it records the
     * entry; writing after that is a bug and throws {@link IllegalStateException}.
     */
    public static final class FileSink extends OutputStream {
        private final Builder owner;
        private final String path;
        private final byte[] pathBytes;
        private final boolean captureManifest;
        private final MessageDigest md = sha256();
        private final ByteArrayOutputStream captured;
        private long size;
        private boolean tooLarge;
        private boolean closed;

        private FileSink(Builder owner, String path, byte[] pathBytes, boolean captureManifest) {
            this.owner = owner;
            this.path = path;
            this.pathBytes = pathBytes;
            this.captureManifest = captureManifest;
            this.captured = captureManifest ? new ByteArrayOutputStream() : null;
            md.update(pathBytes);
            md.update(new byte[] {0, 0});
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (closed) {
                throw new IllegalStateException("the sink of " + path + " is closed");
            }
            Objects.checkFromIndexSize(off, len, b.length);
            md.update(b, off, len);
            size += len;
            if (captured != null && !tooLarge) {
                if (size > ZonParser.MAX_SOURCE_BYTES) {
                    tooLarge = true;
                    captured.reset();
                } else {
                    captured.write(b, off, len);
                }
            }
        }

        /** Bytes written so far. */
        public long size() {
            return size;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            owner.closed(this, md.digest(), size, captured, tooLarge);
        }
    }
}
