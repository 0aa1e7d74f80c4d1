package dev.packbase.domain;

import java.util.List;

/**
 * What packbase knows about a tarball as a Zig package: its package hash in both forms (computed in
 * the pass that writes the tarball, exactly as Zig computes it) and the parsed build.zig.zon.
 *
 * @param hash                  the {@code name-version-base64} form that Zig 0.14+ prints, or null
 * @param legacyHash            the {@code 1220…} form that Zig 0.12/0.13 print (0.14/0.15 still accept it);
 *                              which versions fetch the package at all is {@code acceptedBy}
 * @param hashUnavailableReason why {@code hash} is null
 * @param acceptedBy            Zig version ranges that fetch this package ({@code 0.12-0.13}, {@code 0.14-0.15}, {@code 0.16+})
 * @param fingerprint           {@code .fingerprint} as {@code 0x…} hex
 * @param manifestError         why a present build.zig.zon does not load (Zig then refuses the package)
 */
public record ZigInfo(
        String hash,
        String legacyHash,
        String hashUnavailableReason,
        String digest,
        long totalSize,
        int fileCount,
        String name,
        String nameForm,
        String version,
        String fingerprint,
        String minimumZigVersion,
        List<String> paths,
        List<Dependency> dependencies,
        List<String> acceptedBy,
        String manifestError,
        List<String> warnings) {

    public ZigInfo {
        paths = paths == null ? null : List.copyOf(paths);
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
        acceptedBy = acceptedBy == null ? List.of() : List.copyOf(acceptedBy);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** One entry of {@code .dependencies}. */
    public record Dependency(String name, String url, String hash, String path, Boolean lazy) {
    }
}
