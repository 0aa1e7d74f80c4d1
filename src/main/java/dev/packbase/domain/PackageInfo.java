package dev.packbase.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.function.UnaryOperator;

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
        List<String> warnings,
        List<TarballInfo> commits) {

    public PackageInfo {
        // Snapshots written before pinned commits were mirrored have none.
        commits = commits == null ? List.of() : List.copyOf(commits);
        tarballs = List.copyOf(tarballs);
        problems = List.copyOf(problems);
        gitProblems = gitProblems == null ? List.of() : List.copyOf(gitProblems);
        warnings = List.copyOf(warnings);
    }

    /** The same entry with other problems (and so unhealthy). */
    public PackageInfo withProblems(List<String> newProblems) {
        return new PackageInfo(packageName, available, registered, local, tarballDirPresent, tarballCount, latestTag,
                latestSizeBytes, sizeBytes, tarballs, smartHttpReady, pseudoGitFetchable, false, newProblems, gitProblems,
                upstreamUrl, checkedAt, generatedAt, warnings, commits);
    }

    /** The same entry computed at another time. */
    public PackageInfo withGeneratedAt(long time) {
        return new PackageInfo(packageName, available, registered, local, tarballDirPresent, tarballCount, latestTag,
                latestSizeBytes, sizeBytes, tarballs, smartHttpReady, pseudoGitFetchable, healthy, problems, gitProblems,
                upstreamUrl, checkedAt, time, warnings, commits);
    }

    /** The same entry with every tarball (tags and commits) passed through {@code f}. */
    public PackageInfo withTarballs(UnaryOperator<TarballInfo> f) {
        return new PackageInfo(packageName, available, registered, local, tarballDirPresent, tarballCount, latestTag,
                latestSizeBytes, sizeBytes, tarballs.stream().map(f).toList(), smartHttpReady, pseudoGitFetchable,
                healthy, problems, gitProblems, upstreamUrl, checkedAt, generatedAt, warnings,
                commits.stream().map(f).toList());
    }

    /** One tarball as /api/info shows it; in {@code commits}, {@code tag} is the full commit id. */
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
            ZigInfo zig,
            List<DependencyStatus> dependencies) {

        /**
         * The same tarball at {@code url}, with its {@code build.zig.zon} dependency line and its
         * dependencies' mirror status (both depend on the request or on other packages, so they are
         * filled in when answering, never stored).
         */
        public TarballInfo withLinks(String url, String zigDependency, List<DependencyStatus> dependencies) {
            return new TarballInfo(tag, url, sizeBytes, manifestPresent, tarballPresent, gitCommitOid, gitTreeOid,
                    upstreamCommit, commitTime, tarballSha256, tarballMd5, tarballCrc32, tarSha256, fileCount, zigHash,
                    zigHashLegacy, zigDependency, zig, dependencies);
        }
    }

    /**
     * One entry of the tarball's {@code .dependencies}: what it declares, and whether a tarball here has
     * its hash ({@code packbase_url} is then {@code /h/<hash>.tar.gz}).
     */
    public record DependencyStatus(String name, String url, String hash, String path, Boolean lazy, boolean mirrored,
            String packbaseUrl) {
    }
}
