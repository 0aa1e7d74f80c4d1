package dev.packbase.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.TagEntry;
import dev.packbase.domain.TagName;
import dev.packbase.storage.Registry;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves {@code /p/<pkg>/tag/<tag>.tar.gz} (and the tag's manifest at {@code .json}) from storage,
 * streamed, never buffered whole. Only tags the registry knows are served, so no request path ever
 * reaches the filesystem. Zig accepts nothing but a plain 200 with a Content-Type it knows and no
 * Content-Encoding (notes/zig-client.md §0), so a request without conditional or range headers always
 * gets exactly that; conditional and range requests get 304/206/416 as HTTP says.
 */
public final class TarballServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;
    private static final Pattern PATH = Pattern.compile("/([^/]+)/tag/([^/]+)\\.(tar\\.gz|json|zon)");
    /** Zig hashes: {@code 1220} + 64 hex, or {@code name-version-<44 base64url>} (at most 110 characters). */
    private static final Pattern HASH_PATH = Pattern.compile("/([A-Za-z0-9._+\\-]{44,110})\\.tar\\.gz");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";

    private final transient Registry registry;
    private final transient Storage storage;
    private final transient PublicUrls publicUrls;

    public TarballServlet(Registry registry, Storage storage, dev.packbase.config.Config config, ObjectMapper json,
            ErrorResponses errors) {
        super(json, errors);
        this.registry = registry;
        this.storage = storage;
        this.publicUrls = new PublicUrls(config);
    }

    @Override
    protected void handle(HttpServletRequest req, HttpServletResponse resp) throws Exception {
        boolean head = req.getMethod().equals("HEAD");
        if (!head && !req.getMethod().equals("GET")) {
            throw methodNotAllowed(req, resp, "GET, HEAD");
        }
        String pathInfo = req.getPathInfo() == null ? "" : req.getPathInfo();
        if (req.getServletPath().equals("/h")) {
            Matcher h = HASH_PATH.matcher(pathInfo);
            Registry.TagRef ref = h.matches() ? registry.findByZigHash(h.group(1)).orElse(null) : null;
            if (ref == null) {
                throw new PackbaseException(ErrorCode.NOT_FOUND, "no tarball has the Zig package hash '"
                        + (h.matches() ? h.group(1) : pathInfo) + "'", Map.of(), null);
            }
            PackageName pkg = new PackageName(ref.packageName());
            sendTarball(req, resp, pkg, registry.find(pkg).orElseThrow().tag(ref.tag()).orElseThrow(), head);
            return;
        }
        Matcher m = PATH.matcher(pathInfo);
        if (!m.matches() || !PackageName.isValid(m.group(1)) || !TagName.isServable(m.group(2))) {
            throw noRoute(req);
        }
        PackageName pkg = new PackageName(m.group(1));
        String tagName = m.group(2);
        PackageRecord record = registry.find(pkg).orElseThrow(() -> new PackbaseException(ErrorCode.NOT_FOUND,
                "package '" + pkg + "' is not known here", Map.of("package", pkg.value()), null));
        TagEntry tag = record.tag(tagName).orElseThrow(() -> new PackbaseException(ErrorCode.NOT_FOUND,
                "package '" + pkg + "' has no tarball for tag '" + tagName + "'",
                Map.of("package", pkg.value(), "tag", tagName), null));
        if (m.group(3).equals("json")) {
            sendManifest(resp, pkg, tag, head);
        } else if (m.group(3).equals("zon")) {
            sendSnippet(req, resp, pkg, tag, head);
        } else {
            sendTarball(req, resp, pkg, tag, head);
        }
    }

    private void sendManifest(HttpServletResponse resp, PackageName pkg, TagEntry tag, boolean head) throws IOException {
        String key = StorageKeys.manifest(pkg, tag.tag());
        Storage.ObjectInfo info = storage.stat(key).orElseThrow(() ->
                PackbaseException.notFound("manifest of " + pkg + " " + tag.tag() + " is missing"));
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "public, max-age=300");
        resp.setContentLengthLong(info.size());
        if (!head) {
            try (InputStream in = storage.open(key)) {
                in.transferTo(resp.getOutputStream());
            }
        }
    }

    /**
     * {@code .zon}: the build.zig.zon dependency line as plain text, with the new hash form, or the
     * legacy one with {@code ?zig=0.12} or {@code ?zig=0.13}.
     */
    private void sendSnippet(HttpServletRequest req, HttpServletResponse resp, PackageName pkg, TagEntry tag, boolean head)
            throws IOException {
        String zigVersion = QueryParameters.get(req, "zig");
        boolean legacy = zigVersion != null && (zigVersion.startsWith("0.12") || zigVersion.startsWith("0.13"));
        String url = publicUrls.base(req) + "/" + StorageKeys.tarball(pkg, tag.tag());
        String snippet = ZigSnippets.dependency(pkg.value(), tag.zig(), url, legacy);
        if (snippet == null) {
            throw new PackbaseException(ErrorCode.NOT_FOUND, "no " + (legacy ? "legacy" : "Zig 0.14+")
                    + " package hash for " + pkg + " " + tag.tag()
                    + (tag.zig() != null && tag.zig().hashUnavailableReason() != null ? ": " + tag.zig().hashUnavailableReason() : ""),
                    Map.of("package", pkg.value(), "tag", tag.tag()), null);
        }
        byte[] body = (snippet + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        resp.setContentType("text/plain");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "public, max-age=300");
        resp.setContentLength(body.length);
        if (!head) {
            resp.getOutputStream().write(body);
        }
    }

    private void sendTarball(HttpServletRequest req, HttpServletResponse resp, PackageName pkg, TagEntry tag,
            boolean head) throws IOException {
        String key = StorageKeys.tarball(pkg, tag.tag());
        Storage.ObjectInfo info = storage.stat(key).orElseThrow(() -> new PackbaseException(ErrorCode.NOT_FOUND,
                "tarball of " + pkg + " " + tag.tag() + " is missing from storage", Map.of("package", pkg.value()), null));
        String etag = "\"" + tag.sha256() + "\"";
        long size = info.size();
        resp.setHeader("ETag", etag);
        resp.setHeader("Cache-Control", IMMUTABLE);
        resp.setHeader("Accept-Ranges", "bytes");
        resp.setHeader("X-Content-Type-Options", "nosniff");

        if (matchesAny(req.getHeader("If-None-Match"), etag)) {
            resp.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        Optional<long[]> range = range(req, etag, size);
        long start = range.map(r -> r[0]).orElse(0L);
        long length = range.map(r -> r[1] - r[0] + 1).orElse(size);
        resp.setContentType("application/gzip");
        if (range.isPresent()) {
            resp.setStatus(HttpServletResponse.SC_PARTIAL_CONTENT);
            resp.setHeader("Content-Range", "bytes " + start + "-" + (start + length - 1) + "/" + size);
        } else {
            resp.setStatus(HttpServletResponse.SC_OK);
        }
        resp.setContentLengthLong(length);
        if (head) {
            return;
        }
        try (InputStream in = storage.open(key)) {
            in.skipNBytes(start);
            copy(in, resp.getOutputStream(), length);
        }
    }

    /** A single satisfiable byte range, honouring If-Range; empty means "send everything". */
    private static Optional<long[]> range(HttpServletRequest req, String etag, long size) {
        String header = req.getHeader("Range");
        if (header == null) {
            return Optional.empty();
        }
        String ifRange = req.getHeader("If-Range");
        if (ifRange != null && !ifRange.trim().equals(etag)) {
            return Optional.empty();
        }
        Matcher m = RANGE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return Optional.empty(); // multiple or malformed ranges: a full 200 is always allowed
        }
        long start;
        long end;
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                start = Math.max(0, size - suffix);
                end = size - 1;
                if (suffix == 0) {
                    throw unsatisfiable(size);
                }
            } else {
                start = Long.parseLong(m.group(1));
                end = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
                if (m.group(2).length() > 0 && Long.parseLong(m.group(2)) < start) {
                    return Optional.empty();
                }
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (start >= size) {
            throw unsatisfiable(size);
        }
        return Optional.of(new long[] {start, end});
    }

    private static PackbaseException unsatisfiable(long size) {
        return new PackbaseException(ErrorCode.RANGE_NOT_SATISFIABLE,
                "requested range is outside the tarball's " + size + " bytes", Map.of("size", size), null);
    }

    private static boolean matchesAny(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) {
                c = c.substring(2);
            }
            if (c.equals("*") || c.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        // Sized to the response: a fresh 64 KiB buffer per 10 KB download was most of the garbage
        // in the tarball benchmark (bench/README.md).
        byte[] buffer = new byte[(int) Math.max(1, Math.min(1 << 16, length))];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("tarball ended early");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }
}
