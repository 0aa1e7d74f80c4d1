package dev.packbase.domain;

/**
 * The manifest of an archive package: a plain archive URL ({@code https://…/v1.2.tar.gz}, a zip, a
 * release asset) mirrored once, written beside its tarball ({@code h/<legacy hash>.json}) and never
 * changed. It records where the bytes came from and what they were, and the deterministic tarball
 * packbase serves in their place at {@code /h/<zig hash>.tar.gz}, with the same Zig package hash.
 *
 * @param url        the URL as the dependency declares it (the package's identity; rewrites are transport)
 * @param type       the archive format Zig would have unpacked ({@code tar_gz}, {@code zip}, …)
 * @param sha256     sha256 of the downloaded bytes, as upstream sent them
 * @param sizeBytes  size of the downloaded bytes
 * @param fetchedAt  when they were downloaded (epoch seconds)
 * @param root       the single top-level directory Zig strips, or null when the archive has none
 * @param tarSha256  sha256 of the uncompressed tar packbase serves: the determinism check
 */
public record ArchiveManifest(
        int format,
        String url,
        String type,
        String sha256,
        long sizeBytes,
        long fetchedAt,
        String root,
        TagManifest.Tarball tarball,
        long tarSizeBytes,
        String tarSha256,
        int fileCount,
        String packbaseRelease,
        ZigInfo zig) {

    public static final int FORMAT = 1;
}
