package dev.packbase.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.TagEntry;
import dev.packbase.domain.TagName;
import dev.packbase.state.PackageState;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves {@code /p/<pkg>/tag/<tag>.tar.gz} (and the tag's manifest at {@code .json}): small tarballs from
 * a bounded in-memory copy ({@link TarballCache}), large ones by the container's sendfile, a kept memory map
 * or a streamed copy, never buffered whole on the heap (DESIGN.md, "Tarball downloads"). Only tags the
 * registry knows are served, so no request path ever reaches the filesystem. Zig accepts nothing but a plain 200 with a Content-Type it knows and no
 * Content-Encoding (notes/zig-client.md §0), so a request without conditional or range headers always
 * gets exactly that; conditional and range requests get 304/206/416 as HTTP says.
 */
public final class TarballServlet extends JsonServlet {
    private static final long serialVersionUID = 1L;
    /** Zig hashes: {@code 1220} + 64 hex, or {@code name-version-<44 base64url>} (at most 110 characters). */
    private static final Pattern HASH_PATH = Pattern.compile("/([A-Za-z0-9._+\\-]{44,110})\\.tar\\.gz");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";
    private static final String GZIP = "application/gzip";
    /** Most bytes of tarballs kept memory-mapped at once (see {@link #sendTarball}). */
    private static final long MAPPED_BYTES = 1L << 30;

    private final transient PackageState registry;
    private final transient Storage storage;
    private final transient PublicUrls publicUrls;
    private final transient TarballCache cache;
    /** Memory maps of the large tarballs, by address space: page cache, not heap. */
    private final transient TarballCache mappings = new TarballCache(MAPPED_BYTES, MAPPED_BYTES);

    public TarballServlet(PackageState registry, Storage storage, dev.packbase.config.Config config, ObjectMapper json,
            ErrorResponses errors) {
        super(json, errors);
        this.registry = registry;
        this.storage = storage;
        this.publicUrls = new PublicUrls(config);
        this.cache = new TarballCache(config.limits().tarballCacheBytes(), config.limits().tarballCacheFileBytes());
    }

    /** The cache of small tarballs, for tests. */
    TarballCache cache() {
        return cache;
    }

    @Override
    protected void handle(HttpServletRequest req, HttpServletResponse resp) throws Exception {
        boolean head = req.getMethod().equals("HEAD");
        if (!head && !req.getMethod().equals("GET")) {
            throw methodNotAllowed(req, resp, "GET, HEAD");
        }
        String pathInfo = req.getPathInfo() == null ? "" : req.getPathInfo();
        Target t = resolve(req.getServletPath(), pathInfo, req.getRequestURI());
        if (t.extension().equals("json")) {
            sendManifest(resp, t.pkg(), t.tag(), head);
        } else if (t.extension().equals("zon")) {
            sendSnippet(req, resp, t.pkg(), t.tag(), head);
        } else {
            sendTarball(req, resp, answer(t, req::getHeader, head, false), head);
        }
    }

    /**
     * The standalone launcher's fast path ({@link PackbaseListener#FAST_PATH}): the answer to a GET or HEAD of
     * a tarball that is in the cache, decided by the same {@link #resolve} and {@link #answer} as the servlet,
     * as JDK types only because the launcher cannot see packbase's classes. {@code requestLine} is the method,
     * one space and the decoded path within the context; {@code headers} looks up a request header. The result
     * is {@code {Integer status, String[] headers as name-value pairs, ByteBuffer body or null}}, or null when
     * the servlet has to answer (anything not a cached tarball, every error, every method but GET and HEAD).
     */
    Object[] fastPath(String requestLine, Function<String, String> headers) {
        boolean head = requestLine.startsWith("HEAD /");
        if (!head && !requestLine.startsWith("GET /")) {
            return null;
        }
        String path = requestLine.substring(head ? 5 : 4);
        if (!path.startsWith("/p/") && !path.startsWith("/h/")) {
            return null;
        }
        try {
            Target t = resolve(path.substring(0, 2), path.substring(2), path);
            Answer a = t.extension().equals("tar.gz") ? answer(t, headers, head, true) : null;
            if (a == null || a.status() == HttpServletResponse.SC_REQUESTED_RANGE_NOT_SATISFIABLE) {
                return null;
            }
            boolean body = !head && a.status() != HttpServletResponse.SC_NOT_MODIFIED;
            return new Object[] {a.status(), a.headers(),
                body ? a.cached().slice(a.start(), a.length()) : null};
        } catch (IOException | RuntimeException e) {
            return null; // the servlet decides again and answers the error in JSON
        }
    }

    /** The tag a request path names, and what of it is asked for: {@code tar.gz}, {@code json} or {@code zon}. */
    record Target(PackageName pkg, TagEntry tag, String extension) {
    }

    /**
     * Finds the tag behind {@code /p/<pkg>/tag/<tag>.<ext>} or {@code /h/<zighash>.tar.gz}, or throws the
     * 404 to answer. Shared by the servlet and {@link #fastPath}.
     */
    private Target resolve(String servletPath, String pathInfo, String requestUri) {
        if (servletPath.equals("/h")) {
            Matcher h = HASH_PATH.matcher(pathInfo);
            PackageState.TagRef ref = h.matches() ? registry.findByZigHash(h.group(1)).orElse(null) : null;
            if (ref == null) {
                throw new PackbaseException(ErrorCode.NOT_FOUND, "no tarball has the Zig package hash '"
                        + (h.matches() ? h.group(1) : pathInfo) + "'", Map.of(), null);
            }
            PackageName pkg = new PackageName(ref.packageName());
            return new Target(pkg, registry.find(pkg).orElseThrow().tag(ref.tag()).orElseThrow(), "tar.gz");
        }
        // Hand-parsed: this runs for every download, and the regex it replaces was a visible part of a
        // 10 KB download's CPU time (bench/README.md, tarball-get.sh).
        TarballPath p = TarballPath.parse(pathInfo);
        if (p == null || !PackageName.isValid(p.pkg()) || !TagName.isServable(p.tag())) {
            throw PackbaseException.notFound("no such resource: " + requestUri);
        }
        PackageName pkg = new PackageName(p.pkg());
        String tagName = p.tag();
        PackageRecord record = registry.find(pkg).orElseThrow(() -> new PackbaseException(ErrorCode.NOT_FOUND,
                "package '" + pkg + "' is not known here", Map.of("package", pkg.value()), null));
        TagEntry tag = record.tag(tagName).orElseThrow(() -> new PackbaseException(ErrorCode.NOT_FOUND,
                "package '" + pkg + "' has no tarball for tag '" + tagName + "'",
                Map.of("package", pkg.value(), "tag", tagName), null));
        return new Target(pkg, tag, p.extension());
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

    /**
     * Everything a tarball response is, decided once for the servlet and for {@link #fastPath}: status 200,
     * 206 or 304, the headers, and the bytes to send from the cache, or from storage when {@code cached} is
     * null.
     */
    record Answer(int status, String key, String sha256, long size, String etag, long start, long length,
            String contentRange, TarballCache.Entry cached) {

        /** The headers in the order the servlet sets them; Content-Type and -Length are not sent with 304. */
        String[] headers() {
            if (status == HttpServletResponse.SC_NOT_MODIFIED) {
                return new String[] {"ETag", etag, "Cache-Control", IMMUTABLE, "Accept-Ranges", "bytes",
                    "X-Content-Type-Options", "nosniff"};
            }
            String length = Long.toString(this.length);
            return contentRange == null
                    ? new String[] {"ETag", etag, "Cache-Control", IMMUTABLE, "Accept-Ranges", "bytes",
                        "X-Content-Type-Options", "nosniff", "Content-Type", GZIP, "Content-Length", length}
                    : new String[] {"ETag", etag, "Cache-Control", IMMUTABLE, "Accept-Ranges", "bytes",
                        "X-Content-Type-Options", "nosniff", "Content-Type", GZIP, "Content-Range", contentRange,
                        "Content-Length", length};
        }
    }

    /**
     * Decides the answer to a GET or HEAD of a tag's tarball from the conditional and range headers. Reads
     * the tarball into the cache when it is small and its body is to be sent. With {@code cachedOnly}, returns
     * null instead of touching storage when the tarball is not cached.
     */
    private Answer answer(Target t, Function<String, String> headers, boolean head, boolean cachedOnly)
            throws IOException {
        TagEntry tag = t.tag();
        String key = StorageKeys.tarball(t.pkg(), tag.tag());
        TarballCache.Entry cached = cache.get(key, tag.sha256());
        if (cached == null && cachedOnly) {
            return null;
        }
        long size;
        if (cached != null) {
            size = cached.size;
        } else {
            Storage.ObjectInfo info = storage.stat(key).orElseThrow(() -> new PackbaseException(ErrorCode.NOT_FOUND,
                    "tarball of " + t.pkg() + " " + tag.tag() + " is missing from storage",
                    Map.of("package", t.pkg().value()), null));
            size = info.size();
        }
        String etag = cached != null ? cached.etag : "\"" + tag.sha256() + "\"";
        if (matchesAny(headers.apply("If-None-Match"), etag)) {
            return new Answer(HttpServletResponse.SC_NOT_MODIFIED, key, tag.sha256(), size, etag, 0, 0, null, cached);
        }
        long[] range = range(headers.apply("Range"), headers.apply("If-Range"), etag, size);
        if (range == UNSATISFIABLE) {
            return new Answer(HttpServletResponse.SC_REQUESTED_RANGE_NOT_SATISFIABLE, key, tag.sha256(), size, etag, 0, 0, null, cached);
        }
        if (cached == null && !head && cache.accepts(size)) {
            cached = cache.put(key, tag.sha256(), readWhole(key, size));
        }
        if (range == null) {
            return new Answer(HttpServletResponse.SC_OK, key, tag.sha256(), size, etag, 0, size, null, cached);
        }
        long length = range[1] - range[0] + 1;
        return new Answer(HttpServletResponse.SC_PARTIAL_CONTENT, key, tag.sha256(), size, etag, range[0], length,
                "bytes " + range[0] + "-" + range[1] + "/" + size, cached);
    }

    private void sendTarball(HttpServletRequest req, HttpServletResponse resp, Answer a, boolean head) throws IOException {
        resp.setHeader("ETag", a.etag());
        resp.setHeader("Cache-Control", IMMUTABLE);
        resp.setHeader("Accept-Ranges", "bytes");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        if (a.status() == HttpServletResponse.SC_NOT_MODIFIED) {
            resp.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        if (a.status() == HttpServletResponse.SC_REQUESTED_RANGE_NOT_SATISFIABLE) {
            throw unsatisfiable(a.size()); // a JSON error, with the headers above
        }
        resp.setContentType(GZIP);
        resp.setStatus(a.status());
        if (a.contentRange() != null) {
            resp.setHeader("Content-Range", a.contentRange());
        }
        resp.setContentLengthLong(a.length());
        if (head) {
            return;
        }
        if (a.cached() != null) {
            // One write of the whole response: no stat, open or read loop.
            resp.getOutputStream().write(a.cached().body, (int) a.start(), (int) a.length());
            return;
        }
        Path file = storage.localFile(a.key()).orElse(null);
        if (file != null && Boolean.TRUE.equals(req.getAttribute(TOMCAT_SENDFILE))) {
            // Tomcat's own sendfile(2) after this method returns (what its DefaultServlet does for static
            // files): no copy through the JVM at all. The end is exclusive.
            req.setAttribute(TOMCAT_SENDFILE + ".filename", file.toAbsolutePath().toString());
            req.setAttribute(TOMCAT_SENDFILE + ".start", a.start());
            req.setAttribute(TOMCAT_SENDFILE + ".end", a.start() + a.length());
            return;
        }
        OutputStream out = resp.getOutputStream();
        Method writeBuffer = file == null || a.size() > Integer.MAX_VALUE ? null : BUFFER_WRITE.get(out.getClass());
        if (writeBuffer != null) {
            // The file memory-mapped and handed to the container's write(ByteBuffer) (Jetty's HttpOutput has
            // one): the socket write reads the page cache, with no copy through the heap. The map is kept
            // (bounded, like the heap cache): a map per request stays resident until a GC unmaps it, and the
            // JVM's resident size grew by gigabytes in the benchmark.
            TarballCache.Entry map = mappings.get(a.key(), a.sha256());
            if (map == null) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                    map = mappings.put(a.key(), a.sha256(), channel.map(FileChannel.MapMode.READ_ONLY, 0, a.size()));
                }
            }
            try {
                writeBuffer.invoke(out, map.slice(a.start(), a.length()));
            } catch (IllegalAccessException e) {
                throw new IOException(e);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
            return;
        }
        try (InputStream in = storage.open(a.key())) {
            in.skipNBytes(a.start());
            copy(in, out, a.length());
        }
    }

    /** Request attribute Tomcat sets to TRUE where it can send a file itself; the other attributes share its prefix. */
    private static final String TOMCAT_SENDFILE = "org.apache.tomcat.sendfile";

    /** A public {@code write(ByteBuffer)} of a container's output stream class, found without importing it. */
    private static final ClassValue<Method> BUFFER_WRITE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getMethod("write", ByteBuffer.class);
                return java.lang.reflect.Modifier.isPublic(m.getDeclaringClass().getModifiers()) ? m : null;
            } catch (NoSuchMethodException | SecurityException e) {
                return null;
            }
        }
    };

    private byte[] readWhole(String key, long size) throws IOException {
        try (InputStream in = storage.open(key)) {
            byte[] body = in.readNBytes((int) size);
            if (body.length != size) {
                throw new IOException("tarball " + key + " ended early");
            }
            return body;
        }
    }

    /** {@link #range}'s answer for a range outside the tarball: 416. */
    private static final long[] UNSATISFIABLE = new long[0];

    /**
     * A single satisfiable byte range, honouring If-Range; null means "send everything", {@link #UNSATISFIABLE}
     * a 416.
     */
    private static long[] range(String header, String ifRange, String etag, long size) {
        if (header == null) {
            return null;
        }
        if (ifRange != null && !ifRange.trim().equals(etag)) {
            return null;
        }
        Matcher m = RANGE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return null; // multiple or malformed ranges: a full 200 is always allowed
        }
        long start;
        long end;
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                start = Math.max(0, size - suffix);
                end = size - 1;
                if (suffix == 0) {
                    return UNSATISFIABLE;
                }
            } else {
                start = Long.parseLong(m.group(1));
                end = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
                if (m.group(2).length() > 0 && Long.parseLong(m.group(2)) < start) {
                    return null;
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        if (start >= size) {
            return UNSATISFIABLE;
        }
        return new long[] {start, end};
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

    /**
     * {@code /<pkg>/tag/<tag>.<extension>} split without a regex; the same language as the pattern
     * {@code /([^/]+)/tag/([^/]+)\\.(tar\\.gz|json|zon)} it replaced. Null when the path does not have that shape.
     */
    record TarballPath(String pkg, String tag, String extension) {
        private static final String[] EXTENSIONS = {"tar.gz", "json", "zon"};

        static TarballPath parse(String path) {
            int slash = path.indexOf('/', 1);
            if (!path.startsWith("/") || slash < 2 || !path.startsWith("/tag/", slash)) {
                return null;
            }
            int tagStart = slash + 5;
            if (path.indexOf('/', tagStart) >= 0) {
                return null;
            }
            for (String extension : EXTENSIONS) {
                int dot = path.length() - extension.length() - 1;
                if (dot > tagStart && path.charAt(dot) == '.' && path.endsWith(extension)) {
                    return new TarballPath(path.substring(1, slash), path.substring(tagStart, dot), extension);
                }
            }
            return null;
        }
    }
}
