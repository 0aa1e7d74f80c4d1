package dev.packbase.domain;

/**
 * What the registry keeps in memory about one materialised tag: enough to serve its tarball and to
 * answer the API without opening its manifest.
 *
 * @param upstreamObject the id the upstream tag ref pointed at (an annotated tag object or a commit);
 *                       compared on later fetches to notice that upstream moved the tag
 * @param commitOid      the parentless commit the pseudo-Git layer serves for this tag
 * @param zig            the tarball as a Zig package (hashes, manifest); null for tarballs ingested
 *                       before packbase computed it (reindex fills it in)
 */
public record TagEntry(
        String tag,
        String upstreamObject,
        String upstreamCommit,
        String treeOid,
        String commitOid,
        long commitTime,
        long sizeBytes,
        String sha256,
        String md5,
        String crc32,
        String tarSha256,
        int fileCount,
        ZigInfo zig) {
}
