package dev.packbase.ingest;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.config.Config;
import dev.packbase.metrics.Metrics;
import dev.packbase.domain.ArchiveManifest;
import dev.packbase.domain.TagManifest;
import dev.packbase.domain.ZigInfo;
import dev.packbase.state.ArchiveState;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import dev.packbase.zig.ZigPackageHash;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Mirrors archive dependencies ({@code https://…/v1.2.tar.gz}, zips, release assets): download once
 * ({@link ArchiveDownloader}), decide the format as Zig does ({@link ArchiveType}), unpack under the
 * hostile-archive rules and hash ({@link ArchivePackager}), check the hash the dependency declares, and
 * only then store the package ({@link ArchiveState}). The same URL is the same package: a URL mirrored
 * before is answered from storage, with no download. One URL is mirrored by one caller at a time.
 */
public final class ArchiveService {
    private static final Logger LOG = Logger.getLogger(ArchiveService.class.getName());

    /** What mirroring a URL against a declared hash gave. */
    public sealed interface Outcome {
    }

    /**
     * The package is held here, with the declared hash (or none was declared); {@code hash} is its hash in
     * the declared form (the 0.14+ form, else the legacy one, when none was declared).
     */
    public record Mirrored(ArchiveManifest manifest, String hash) implements Outcome {
    }

    /** The archive's hash is not the declared one: nothing was stored. */
    public record Mismatch(String computed) implements Outcome {
    }

    private final Config.Fetch limits;
    private final Config.Ingest ingest;
    private final ArchiveState archives;
    private final Storage storage;
    private final ScratchArea scratch;
    private final Clock clock;
    private final String release;
    private final PackageLocks locks = new PackageLocks();

    private final Metrics metrics;

    public ArchiveService(Config.Fetch limits, Config.Ingest ingest, ArchiveState archives, Storage storage,
            ScratchArea scratch, Clock clock, String release, Metrics metrics) {
        this.metrics = metrics;
        this.limits = limits;
        this.ingest = ingest;
        this.archives = archives;
        this.storage = storage;
        this.scratch = scratch;
        this.clock = clock;
        this.release = release;
    }

    /** Whether a dependency URL is an archive (plain {@code http(s)}), not a Git repository ({@code git+…}). */
    public static boolean isArchiveUrl(String url) {
        String u = url == null ? "" : url.toLowerCase(Locale.ROOT);
        return u.startsWith("https://") || u.startsWith("http://");
    }

    /** The package mirrored from {@code url}, if it is held here; never any upstream traffic. */
    private Optional<ArchiveManifest> held(String url) {
        try {
            return archives.byUrl(url);
        } catch (IOException e) {
            throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot read the archive index: " + e.getMessage(), e);
        }
    }

    /**
     * Mirrors {@code url} and checks it against {@code declaredHash} (either Zig form, or null to accept
     * what it is). Throws upstream_failed, forbidden, limit_exceeded, bad_archive or read_only.
     */
    public Outcome mirror(String url, String declaredHash) {
        checkUrl(url);
        Optional<ArchiveManifest> held = held(url);
        if (held.isPresent()) {
            return check(held.get().zig(), declaredHash, held.get());
        }
        if (!storage.writable()) {
            throw new PackbaseException(ErrorCode.READ_ONLY, url + " is not mirrored here, and this node serves a"
                    + " read-only root: mirror it on the central node", Map.of(), null);
        }
        return locks.with(url, () -> {
            Optional<ArchiveManifest> meanwhile = held(url);
            if (meanwhile.isPresent()) {
                return check(meanwhile.get().zig(), declaredHash, meanwhile.get());
            }
            try {
                return download(url, declaredHash);
            } catch (IOException e) {
                throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot mirror " + url + ": " + e.getMessage(), e);
            }
        });
    }

    private Outcome download(String url, String declaredHash) throws IOException {
        Path dir = scratch.create("archive");
        try {
            ArchiveDownloader.Downloaded d;
            boolean downloaded = false;
            try {
                d = new ArchiveDownloader(limits).download(url, dir.resolve("download"));
                downloaded = true;
            } finally {
                metrics.upstream(downloaded ? Metrics.Upstream.OK : Metrics.Upstream.FAILED);
            }
            ArchiveType type = ArchiveType.of(d.contentType(), d.contentDisposition(), url).orElseThrow(() ->
                    ArchiveReader.refused(url + " is no archive Zig unpacks: Content-Type '" + d.contentType() + "'"
                            + (d.contentDisposition() == null ? "" : ", Content-Disposition '" + d.contentDisposition() + "'")));
            ArchivePackager packager = new ArchivePackager(new ArchiveReader(ingest.maxTarballBytes(), ingest.maxFiles()),
                    ingest.maxTarballBytes());
            Path tarball = dir.resolve("package.tar.gz");
            ArchivePackager.Packaged p;
            try (OutputStream out = Files.newOutputStream(tarball)) {
                p = packager.write(d.file(), type, out);
            }
            ZigInfo zig = ZigInfos.of(p.zig());
            if (zig.legacyHash() == null) {
                throw ArchiveReader.refused("Zig refuses the package: " + zig.manifestError());
            }
            DeterministicTar.Digested t = p.tarball();
            ArchiveManifest manifest = new ArchiveManifest(ArchiveManifest.FORMAT, url, type.label(), d.sha256(), d.size(),
                    clock.instant().getEpochSecond(), p.root(),
                    new TagManifest.Tarball(StorageKeys.archiveTarball(zig.legacyHash()), t.gzSize(), t.gzSha256(),
                            t.gzMd5(), t.gzCrc32()),
                    t.tarSize(), t.tarSha256(), p.fileCount(), release, zig);
            Outcome outcome = check(zig, declaredHash, manifest);
            if (outcome instanceof Mismatch) {
                return outcome; // nothing is stored under a hash that did not verify
            }
            ArchiveManifest stored = archives.store(manifest, out -> {
                try (InputStream in = Files.newInputStream(tarball)) {
                    in.transferTo(out);
                }
            });
            LOG.info(() -> "mirrored archive " + url + " (" + type.label() + ", " + d.size() + " bytes) as "
                    + stored.zig().legacyHash());
            return new Mirrored(stored, ((Mirrored) outcome).hash());
        } finally {
            scratch.delete(dir);
        }
    }

    /** The declared hash checked in its own form: {@code 1220…} against the legacy hash, else the 0.14+ one. */
    private static Outcome check(ZigInfo zig, String declared, ArchiveManifest manifest) {
        if (declared == null) {
            return new Mirrored(manifest, zig.hash() != null ? zig.hash() : zig.legacyHash());
        }
        String computed = ZigPackageHash.isLegacy(declared) ? zig.legacyHash() : zig.hash();
        if (computed == null) {
            throw ArchiveReader.refused("no Zig 0.14+ package hash: " + zig.hashUnavailableReason());
        }
        return computed.equals(declared) ? new Mirrored(manifest, computed) : new Mismatch(computed);
    }

    private static void checkUrl(String url) {
        try {
            URI uri = new URI(url);
            if (!isArchiveUrl(url) || uri.getHost() == null || uri.getHost().isEmpty()) {
                throw PackbaseException.badRequest("archive url '" + url + "' must be http(s) with a host");
            }
            if (uri.getRawUserInfo() != null) {
                throw PackbaseException.badRequest("archive url '" + url + "' must not contain credentials");
            }
        } catch (URISyntaxException e) {
            throw PackbaseException.badRequest("malformed archive url '" + url + "': " + e.getReason());
        }
    }
}
