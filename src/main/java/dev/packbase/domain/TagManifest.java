package dev.packbase.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The per-tag manifest, written once beside the tarball ({@code p/<pkg>/tag/<tag>.json}) and never
 * changed: where the tarball came from, the exact upstream commit object (so the pseudo-Git layer can
 * serve that id too), and the sizes and digests that let anyone verify the tarball later. A pinned
 * commit's manifest ({@code p/<pkg>/commit/<id>.json}) has the same shape: its {@code tag} and
 * {@code upstreamRef} are the commit id.
 *
 * @param upstreamCommitRaw the upstream commit object's bytes (without the git object header), base64
 * @param commitOid         the parentless commit packbase serves for this tag (see git.RootCommit)
 * @param gitlinks          submodules in the tree; they are not in the tarball
 * @param tarSha256         sha256 of the uncompressed tar: the determinism check, independent of zlib
 */
public record TagManifest(
        int format,
        @JsonProperty("package") String packageName,
        String tag,
        String upstreamUrl,
        String upstreamRef,
        String upstreamObject,
        String upstreamTagObject,
        String upstreamCommit,
        String upstreamCommitRaw,
        String treeOid,
        String commitOid,
        List<Gitlink> gitlinks,
        long commitTime,
        Tarball tarball,
        long tarSizeBytes,
        String tarSha256,
        int fileCount,
        long createdAt,
        String packbaseRelease,
        List<String> warnings,
        ZigInfo zig) {

    public static final int FORMAT = 1;

    public TagManifest {
        gitlinks = List.copyOf(gitlinks);
        warnings = List.copyOf(warnings);
    }

    /** A submodule entry of the tag's tree. */
    public record Gitlink(String path, String commit) {
    }

    /** The stored .tar.gz: its storage key and digests. */
    public record Tarball(String path, long sizeBytes, String sha256, String md5, String crc32) {
    }

    public TagEntry toEntry() {
        return new TagEntry(tag, upstreamObject, upstreamCommit, treeOid, commitOid, commitTime,
                tarball.sizeBytes(), tarball.sha256(), tarball.md5(), tarball.crc32(), tarSha256, fileCount, zig);
    }
}
