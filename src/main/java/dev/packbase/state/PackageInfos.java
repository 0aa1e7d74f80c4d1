package dev.packbase.state;

import dev.packbase.domain.GitStatus;
import dev.packbase.domain.PackageInfo;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.PublicPaths;
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
                problems, List.of(), upstreamUrl, 0, now, List.of());
    }

    public static PackageInfo compute(PackageRecord record, Storage storage, boolean registered, GitStatus git,
            long now) throws IOException {
        PackageName pkg = new PackageName(record.name());
        List<PackageInfo.TarballInfo> tarballs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long total = 0;
        List<TagEntry> ordered = record.newestFirst();
        boolean anyTarball = false;
        for (TagEntry tag : ordered) {
            Optional<Storage.ObjectInfo> tarball = storage.stat(StorageKeys.tarball(pkg, tag.tag()));
            boolean manifest = storage.stat(StorageKeys.manifest(pkg, tag.tag())).isPresent();
            boolean tarballOk = tarball.isPresent() && tarball.get().size() == tag.sizeBytes();
            if (tarball.isEmpty()) {
                problems.add("tarball of " + tag.tag() + " is missing");
            } else if (!tarballOk) {
                problems.add("tarball of " + tag.tag() + " has " + tarball.get().size() + " bytes, manifest says "
                        + tag.sizeBytes());
            }
            if (!manifest) {
                problems.add("manifest of " + tag.tag() + " is missing");
            }
            anyTarball |= tarball.isPresent();
            total += tarball.map(Storage.ObjectInfo::size).orElse(0L);
            tarballs.add(new PackageInfo.TarballInfo(tag.tag(), PublicPaths.tarball(pkg, tag.tag()),
                    tag.sizeBytes(), manifest, tarball.isPresent(), tag.commitOid(), tag.treeOid(),
                    tag.upstreamCommit(), tag.commitTime(), tag.sha256(), tag.md5(), tag.crc32(), tag.tarSha256(),
                    tag.fileCount(), tag.zig() == null ? null : tag.zig().hash(),
                    tag.zig() == null ? null : tag.zig().legacyHash(), null, tag.zig()));
        }
        if (tarballs.isEmpty()) {
            problems.add("no tarballs");
        }
        // A found tarball already proves the directory has a file; only otherwise is it listed.
        boolean dirPresent = anyTarball || !storage.list(StorageKeys.tagDir(pkg)).isEmpty();
        problems.addAll(git.problems());
        if (!git.fetchable() && git.problems().isEmpty()) {
            problems.add("not fetchable over Git");
        }
        Optional<TagEntry> latest = record.latest();
        return new PackageInfo(record.name(), !tarballs.isEmpty(), registered, true, dirPresent, tarballs.size(),
                latest.map(TagEntry::tag).orElse(null), latest.map(TagEntry::sizeBytes).orElse(0L), total, tarballs,
                git.smartHttpReady(), git.fetchable(), problems.isEmpty(), problems, git.problems(), record.upstreamUrl(),
                record.checkedAt(), now, record.warnings());
    }
}
