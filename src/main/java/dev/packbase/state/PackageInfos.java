package dev.packbase.state;

import dev.packbase.domain.GitStatus;
import dev.packbase.domain.PackageInfo;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.PublicPaths;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.TagEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Computes the {@code /api/info} snapshot of a package from its record and what is actually in
 * storage and the Git layer's self-check. "Healthy" means: at least one tarball, every tag's tarball
 * and manifest present with the recorded size, and the package fetchable over Git (the check fetched
 * every served commit). Full re-hashing is the job of the verify command, not of every fetch.
 */
public final class PackageInfos {
    private PackageInfos() {
    }

    /** The snapshot of a package that is in the source catalog but not (yet) materialised here. */
    public static PackageInfo registeredOnly(String name, String upstreamUrl, List<String> problems, long now) {
        return new PackageInfo(name, false, true, false, false, 0, null, 0, 0, List.of(), false, false, false,
                problems, List.of(), upstreamUrl, 0, now, List.of(), List.of());
    }

    public static PackageInfo compute(PackageRecord record, Storage storage, boolean registered, GitStatus git,
            long now) throws IOException {
        PackageName pkg = new PackageName(record.name());
        List<String> problems = new ArrayList<>();
        Listed tags = list(pkg, RefKind.TAG, record.newestFirst(), storage, problems);
        Listed commits = list(pkg, RefKind.COMMIT, record.commits(), storage, problems);
        List<PackageInfo.TarballInfo> tarballs = tags.tarballs();
        boolean anyTarball = tags.anyPresent() || commits.anyPresent();
        long total = tags.bytes() + commits.bytes();
        boolean available = !tarballs.isEmpty() || !commits.tarballs().isEmpty();
        if (!available) {
            problems.add("no tarballs");
        }
        // A found tarball already proves the directory has a file; only otherwise is it listed.
        boolean dirPresent = anyTarball || !storage.list(StorageKeys.tagDir(pkg)).isEmpty();
        problems.addAll(git.problems());
        if (!git.fetchable() && git.problems().isEmpty()) {
            problems.add("not fetchable over Git");
        }
        Optional<TagEntry> latest = record.latest();
        return new PackageInfo(record.name(), available, registered, true, dirPresent, tarballs.size(),
                latest.map(TagEntry::tag).orElse(null), latest.map(TagEntry::sizeBytes).orElse(0L), total, tarballs,
                git.smartHttpReady(), git.fetchable(), problems.isEmpty(), problems, git.problems(), record.upstreamUrl(),
                record.checkedAt(), now, record.warnings(), commits.tarballs());
    }

    /** The info entries of one kind of version, what they weigh, and whether any tarball was found. */
    private record Listed(List<PackageInfo.TarballInfo> tarballs, long bytes, boolean anyPresent) {
    }

    private static Listed list(PackageName pkg, RefKind kind, List<TagEntry> entries, Storage storage,
            List<String> problems) throws IOException {
        List<PackageInfo.TarballInfo> tarballs = new ArrayList<>();
        long total = 0;
        boolean anyTarball = false;
        for (TagEntry tag : entries) {
            String what = (kind == RefKind.COMMIT ? "commit " : "") + tag.tag();
            Optional<Storage.ObjectInfo> tarball = storage.stat(StorageKeys.tarball(pkg, kind, tag.tag()));
            boolean manifest = storage.stat(StorageKeys.manifest(pkg, kind, tag.tag())).isPresent();
            if (tarball.isEmpty()) {
                problems.add("tarball of " + what + " is missing");
            } else if (tarball.get().size() != tag.sizeBytes()) {
                problems.add("tarball of " + what + " has " + tarball.get().size() + " bytes, manifest says "
                        + tag.sizeBytes());
            }
            if (!manifest) {
                problems.add("manifest of " + what + " is missing");
            }
            anyTarball |= tarball.isPresent();
            total += tarball.map(Storage.ObjectInfo::size).orElse(0L);
            tarballs.add(new PackageInfo.TarballInfo(tag.tag(), PublicPaths.tarball(pkg, kind, tag.tag()),
                    tag.sizeBytes(), manifest, tarball.isPresent(), tag.commitOid(), tag.treeOid(),
                    tag.upstreamCommit(), tag.commitTime(), tag.sha256(), tag.md5(), tag.crc32(), tag.tarSha256(),
                    tag.fileCount(), tag.zig() == null ? null : tag.zig().hash(),
                    tag.zig() == null ? null : tag.zig().legacyHash(), null, tag.zig(), null));
        }
        return new Listed(tarballs, total, anyTarball);
    }
}
