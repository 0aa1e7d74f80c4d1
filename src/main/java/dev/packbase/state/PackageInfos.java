package dev.packbase.state;

import dev.packbase.domain.GitStatus;
import dev.packbase.domain.PackageInfo;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.PublicPaths;
import dev.packbase.domain.TagEntry;
import dev.packbase.domain.ZigInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

    /**
     * The same snapshot entry, with every tarball value that equals its record's taken from the
     * record, so the two share one object instead of holding equal copies. Nothing changes for a
     * reader: values that differ (a snapshot older than its record) are kept as the snapshot has them.
     */
    public static PackageInfo sharing(PackageInfo info, PackageRecord record) {
        Map<String, TagEntry> byTag = new HashMap<>();
        record.tags().forEach(t -> byTag.put(t.tag(), t));
        List<PackageInfo.TarballInfo> tarballs = new ArrayList<>(info.tarballs().size());
        for (PackageInfo.TarballInfo t : info.tarballs()) {
            TagEntry e = byTag.get(t.tag());
            if (e == null) {
                tarballs.add(t);
                continue;
            }
            ZigInfo zig = same(t.zig(), e.zig());
            tarballs.add(new PackageInfo.TarballInfo(e.tag(), t.url(), t.sizeBytes(), t.manifestPresent(),
                    t.tarballPresent(), same(t.gitCommitOid(), e.commitOid()), same(t.gitTreeOid(), e.treeOid()),
                    same(t.upstreamCommit(), e.upstreamCommit()), t.commitTime(), same(t.tarballSha256(), e.sha256()),
                    same(t.tarballMd5(), e.md5()), same(t.tarballCrc32(), e.crc32()), same(t.tarSha256(), e.tarSha256()),
                    t.fileCount(), same(t.zigHash(), zig == null ? null : zig.hash()),
                    same(t.zigHashLegacy(), zig == null ? null : zig.legacyHash()), t.zigDependency(), zig));
        }
        return new PackageInfo(info.packageName(), info.available(), info.registered(), info.local(),
                info.tarballDirPresent(), info.tarballCount(), info.latestTag(), info.latestSizeBytes(), info.sizeBytes(),
                tarballs, info.smartHttpReady(), info.pseudoGitFetchable(), info.healthy(), info.problems(),
                info.gitProblems(), same(info.upstreamUrl(), record.upstreamUrl()), info.checkedAt(), info.generatedAt(),
                same(info.warnings(), record.warnings()));
    }

    /** {@code shared} when it equals {@code own}, else {@code own}. */
    private static <T> T same(T own, T shared) {
        return Objects.equals(own, shared) ? shared : own;
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
