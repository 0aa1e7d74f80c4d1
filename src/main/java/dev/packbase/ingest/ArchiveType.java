package dev.packbase.ingest;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * The archive formats Zig's fetcher unpacks, and how it tells which one a download is
 * (notes/zig-client.md §1.3, {@code Fetch.unpackResource} and {@code FileType}): the response's
 * {@code Content-Type} first; for {@code application/octet-stream} and {@code application/x-compressed}
 * a {@code Content-Disposition} filename if there is one; otherwise the URL path's suffix, the query
 * (and fragment) ignored. Packbase decides the same way, so that what it mirrors is what Zig would
 * have unpacked. The union over Zig 0.13–0.17 is accepted ({@code .jar} and some MIME aliases are
 * newer than 0.13; a package's own {@code accepted_by} says which Zig fetch it).
 */
public enum ArchiveType {
    TAR, TAR_GZ, TAR_XZ, TAR_ZST, ZIP;

    /** How messages and manifests name the format: {@code tar.gz}, {@code zip}, … */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** By URL path suffix, case-insensitive; the query and fragment never count. */
    public static Optional<ArchiveType> fromPath(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        if (p.endsWith(".tar.gz") || p.endsWith(".tgz")) {
            return Optional.of(TAR_GZ);
        }
        if (p.endsWith(".tar.xz") || p.endsWith(".txz")) {
            return Optional.of(TAR_XZ);
        }
        if (p.endsWith(".tar.zst") || p.endsWith(".tzst")) {
            return Optional.of(TAR_ZST);
        }
        if (p.endsWith(".tar")) {
            return Optional.of(TAR);
        }
        if (p.endsWith(".zip") || p.endsWith(".jar")) {
            return Optional.of(ZIP);
        }
        return Optional.empty();
    }

    /** By the path of an {@code http(s)} URL; empty when it names no archive (or is no URL). */
    public static Optional<ArchiveType> fromUrl(String url) {
        try {
            URI uri = new URI(url);
            return uri.getRawPath() == null ? Optional.empty() : fromPath(uri.getRawPath());
        } catch (java.net.URISyntaxException e) {
            return Optional.empty();
        }
    }

    /**
     * What a response says it is: {@code Content-Type} (only the part before the first {@code ;}, compared
     * without case and, as Zig does, without trimming), then for the generic types a {@code Content-Disposition}
     * filename, then the URL path. Empty when Zig would refuse the download (an unknown type, a generic one
     * with no usable name).
     */
    public static Optional<ArchiveType> of(String contentType, String contentDisposition, String url) {
        if (contentType == null) {
            return Optional.empty(); // Zig: a missing Content-Type is a hard error
        }
        int semicolon = contentType.indexOf(';');
        String mime = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).toLowerCase(Locale.ROOT);
        switch (mime) {
            case "application/x-tar":
                return Optional.of(TAR);
            case "application/gzip", "application/x-gzip", "application/tar+gzip", "application/x-tar-gz",
                    "application/x-gtar-compressed":
                return Optional.of(TAR_GZ);
            case "application/x-xz":
                return Optional.of(TAR_XZ);
            case "application/zstd":
                return Optional.of(TAR_ZST);
            case "application/zip", "application/x-zip-compressed", "application/java-archive":
                return Optional.of(ZIP);
            case "application/octet-stream", "application/x-compressed":
                if (contentDisposition != null) {
                    return dispositionName(contentDisposition).flatMap(ArchiveType::fromPath);
                }
                return fromUrl(url);
            default:
                return Optional.empty();
        }
    }

    /**
     * The filename of {@code attachment; filename=…} (or {@code filename*=}): up to the next {@code ;},
     * one trailing quote stripped (Zig's {@code FileType.fromContentDisposition}, which strips no leading one).
     */
    static Optional<String> dispositionName(String header) {
        String h = header.toLowerCase(Locale.ROOT);
        if (!h.startsWith("attachment;")) {
            return Optional.empty();
        }
        int at = h.indexOf("filename*=");
        int skip = "filename*=".length();
        if (at < 0) {
            at = h.indexOf("filename=");
            skip = "filename=".length();
        }
        if (at < 0) {
            return Optional.empty();
        }
        String value = header.substring(at + skip);
        int end = value.indexOf(';');
        value = end < 0 ? value : value.substring(0, end);
        return Optional.of(value.endsWith("\"") ? value.substring(0, value.length() - 1) : value);
    }
}
