package dev.packbase.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The persisted {@code /api/info/<pkg>} snapshot of one package (CONTRACT §4). It is computed when a
 * fetch or update changes the package, never at request time.
 */
// Health first: loading every entry at start reads only these fields.
@JsonPropertyOrder({"package", "healthy"})
public record PackageInfo(
        @JsonProperty("package") String packageName,
        boolean available,
        boolean registered,
        boolean local,
        boolean tarballDirPresent,
        int tarballCount,
        String latestTag,
        long latestSizeBytes,
        long sizeBytes,
        List<TarballInfo> tarballs,
        boolean smartHttpReady,
        boolean pseudoGitFetchable,
        boolean healthy,
        List<String> problems,
        List<String> gitProblems,
        String upstreamUrl,
        long checkedAt,
        long generatedAt,
        List<String> warnings) {

    public PackageInfo {
        tarballs = List.copyOf(tarballs);
        problems = List.copyOf(problems);
        gitProblems = gitProblems == null ? List.of() : List.copyOf(gitProblems);
        warnings = List.copyOf(warnings);
    }

    /** One tarball as /api/info shows it. */
    /** The same entry with other problems (and so unhealthy). */
    public PackageInfo withProblems(List<String> newProblems) {
        return new PackageInfo(packageName, available, registered, local, tarballDirPresent, tarballCount, latestTag,
                latestSizeBytes, sizeBytes, tarballs, smartHttpReady, pseudoGitFetchable, false, newProblems, gitProblems,
                upstreamUrl, checkedAt, generatedAt, warnings);
    }

    /** The same entry computed at another time. */
    public PackageInfo withGeneratedAt(long time) {
        return new PackageInfo(packageName, available, registered, local, tarballDirPresent, tarballCount, latestTag,
                latestSizeBytes, sizeBytes, tarballs, smartHttpReady, pseudoGitFetchable, healthy, problems, gitProblems,
                upstreamUrl, checkedAt, time, warnings);
    }

    public record TarballInfo(
            String tag,
            String url,
            long sizeBytes,
            boolean manifestPresent,
            boolean tarballPresent,
            String gitCommitOid,
            String gitTreeOid,
            String upstreamCommit,
            long commitTime,
            String tarballSha256,
            String tarballMd5,
            String tarballCrc32,
            String tarSha256,
            int fileCount,
            String zigHash,
            String zigHashLegacy,
            String zigDependency,
            ZigInfo zig) {
    }
}
