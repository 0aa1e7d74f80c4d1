package dev.packbase.http;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.http.fastpath.FastPath;
import dev.packbase.metrics.Metrics;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StoredObject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.Function;

/**
 * Sends a tag's tarball as its {@link TarballAnswer} says: small tarballs from a bounded in-memory copy
 * ({@link TarballCache}), large ones by the container's sendfile, a kept memory map or a streamed copy, never
 * buffered whole on the heap (DESIGN.md, "Tarball downloads"). The same cached copies answer the launcher's
 * fast path ({@link #cachedAnswer}).
 */
final class TarballSender {
    /** Most bytes of tarballs kept memory-mapped at once. */
    private static final long MAPPED_BYTES = 1L << 30;
    /** Request attribute Tomcat sets to TRUE where it can send a file itself; the other attributes share its prefix. */
    private static final String TOMCAT_SENDFILE = "org.apache.tomcat.sendfile";

    private final Storage storage;
    private final TarballCache cache;
    private final java.time.Duration presignedRedirect;
    private final Metrics metrics;
    /** Memory maps of the large tarballs, by address space: page cache, not heap. */
    private final TarballCache mappings = new TarballCache(MAPPED_BYTES, MAPPED_BYTES);

    TarballSender(Storage storage, TarballCache cache) {
        this(storage, cache, java.time.Duration.ZERO);
    }

    /** With {@code presignedRedirect} above zero, tarballs not in the heap cache are redirects to the store. */
    TarballSender(Storage storage, TarballCache cache, java.time.Duration presignedRedirect) {
        this(storage, cache, presignedRedirect, Metrics.OFF);
    }

    /** Counting the heap cache's hits and misses in {@code metrics}. */
    TarballSender(Storage storage, TarballCache cache, java.time.Duration presignedRedirect, Metrics metrics) {
        this.storage = storage;
        this.cache = cache;
        this.presignedRedirect = presignedRedirect;
        this.metrics = metrics;
    }

    /** Body bytes a Tomcat sendfile set up by {@link #send} will write after the servlet returns (0 when none). */
    static long sendfileBytes(HttpServletRequest req) {
        if (req.getAttribute(TOMCAT_SENDFILE + ".filename") == null
                || !(req.getAttribute(TOMCAT_SENDFILE + ".start") instanceof Long start)
                || !(req.getAttribute(TOMCAT_SENDFILE + ".end") instanceof Long end)) {
            return 0;
        }
        return end - start;
    }

    /** The cache of small tarballs, for tests. */
    TarballCache cache() {
        return cache;
    }

    /**
     * The launcher's answer for a tarball held in memory, or null when it is not (or the answer is an error,
     * which the servlet sends).
     */
    FastPath.Answer cachedAnswer(TarballResolver.Target t, Function<String, String> headers, boolean head) {
        TarballCache.Entry cached = cache.get(t.tarballKey(), t.sha256());
        if (cached == null) {
            return null;
        }
        TarballAnswer a = TarballAnswer.decide(cached.etag, cached.size, headers);
        if (a.status() == HttpServletResponse.SC_REQUESTED_RANGE_NOT_SATISFIABLE) {
            return null;
        }
        boolean body = !head && a.hasBody();
        metrics.tarballCache(true); // a miss is counted by the servlet, which answers it
        return new FastPath.Answer(a.status(), a.headers(), body ? cached.slice(a.start(), a.length()) : null, null);
    }

    /** Decides and sends the answer to a GET or HEAD of the tarball of {@code t}. */
    void send(HttpServletRequest req, HttpServletResponse resp, TarballResolver.Target t, boolean head) throws IOException {
        String key = t.tarballKey();
        String sha256 = t.sha256();
        TarballCache.Entry cached = cache.get(key, sha256);
        metrics.tarballCache(cached != null);
        if (cached == null && !presignedRedirect.isZero()) {
            java.util.Optional<java.net.URI> direct = storage.presignedGet(key, presignedRedirect);
            if (direct.isPresent()) {
                redirect(req, resp, sha256, direct.get());
                return;
            }
        }
        // The handle costs what a stat did: its bytes are opened only for the way they are sent.
        StoredObject stored = cached != null ? null : storage.read(key).orElseThrow(() -> new PackbaseException(
                ErrorCode.NOT_FOUND, "tarball of " + t.label() + " is missing from storage",
                Map.of(), null));
        try {
            long size = cached != null ? cached.size : stored.size();
            TarballAnswer a = TarballAnswer.decide(cached != null ? cached.etag : "\"" + sha256 + "\"", size, req::getHeader);
            if (cached == null && !head && a.hasBody() && cache.accepts(size)) {
                cached = cache.put(key, sha256, readWhole(stored));
            }
            resp.setHeader("ETag", a.etag());
            resp.setHeader("Cache-Control", TarballAnswer.IMMUTABLE);
            resp.setHeader("Accept-Ranges", "bytes");
            resp.setHeader("X-Content-Type-Options", "nosniff");
            if (a.status() == HttpServletResponse.SC_NOT_MODIFIED) {
                resp.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
                return;
            }
            if (a.status() == HttpServletResponse.SC_REQUESTED_RANGE_NOT_SATISFIABLE) {
                throw new PackbaseException(ErrorCode.RANGE_NOT_SATISFIABLE, "requested range is outside the tarball's "
                        + size + " bytes", Map.of("size", size), null); // a JSON error, with the headers above
            }
            resp.setContentType(TarballAnswer.GZIP);
            resp.setStatus(a.status());
            if (a.contentRange() != null) {
                resp.setHeader("Content-Range", a.contentRange());
            }
            resp.setContentLengthLong(a.length());
            if (head) {
                return;
            }
            if (cached != null) {
                // One write of the whole response: no stat, open or read loop.
                resp.getOutputStream().write(cached.body, (int) a.start(), (int) a.length());
                return;
            }
            sendStored(req, resp, stored, sha256, a);
        } finally {
            if (stored != null) {
                stored.close();
            }
        }
    }

    /**
     * The store serves the bytes (Range and HEAD included): a 302 to its signed URL, not cached, since the
     * URL expires; a matching If-None-Match is still a 304 from here, which needs no store at all.
     */
    private static void redirect(HttpServletRequest req, HttpServletResponse resp, String sha256, java.net.URI url) {
        String etag = "\"" + sha256 + "\"";
        resp.setHeader("ETag", etag);
        if (TarballAnswer.decide(etag, 0, req::getHeader).status() == HttpServletResponse.SC_NOT_MODIFIED) {
            resp.setHeader("Cache-Control", TarballAnswer.IMMUTABLE);
            resp.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("Location", url.toString());
        resp.setStatus(HttpServletResponse.SC_FOUND);
    }

    /**
     * A tarball too large for the heap cache: the container's sendfile, a kept read-only buffer ({@link StoredObject#map},
     * a memory map of the file) or a stream, in that order of preference.
     */
    private void sendStored(HttpServletRequest req, HttpServletResponse resp, StoredObject stored, String sha256,
            TarballAnswer a) throws IOException {
        String file = stored.containerFileName().orElse(null);
        if (file != null && Boolean.TRUE.equals(req.getAttribute(TOMCAT_SENDFILE))) {
            // Tomcat's own sendfile(2) after the servlet returns (what its DefaultServlet does for static
            // files): no copy through the JVM at all. The end is exclusive.
            req.setAttribute(TOMCAT_SENDFILE + ".filename", file);
            req.setAttribute(TOMCAT_SENDFILE + ".start", a.start());
            req.setAttribute(TOMCAT_SENDFILE + ".end", a.start() + a.length());
            return;
        }
        OutputStream out = resp.getOutputStream();
        if (a.size() <= Integer.MAX_VALUE && ContainerWrites.supported(out)) {
            // The stored bytes as a read-only buffer (a memory map of the file) handed to the container's
            // write(ByteBuffer) (Jetty's HttpOutput has one): the socket write reads the page cache, with no copy
            // through the heap. The map is kept (bounded, like the heap cache): a map per request stays resident
            // until a GC unmaps it, which grows the JVM's resident size by gigabytes under load.
            TarballCache.Entry map = mappings.get(stored.key(), sha256);
            if (map == null) {
                map = mappings.put(stored.key(), sha256, stored.map());
            }
            ContainerWrites.write(out, map.slice(a.start(), a.length()));
            return;
        }
        try (InputStream in = stored.stream()) {
            in.skipNBytes(a.start());
            copy(in, out, a.length());
        }
    }

    private static byte[] readWhole(StoredObject stored) throws IOException {
        try (InputStream in = stored.stream()) {
            byte[] body = in.readNBytes((int) stored.size());
            if (body.length != stored.size()) {
                throw new IOException("tarball " + stored.key() + " ended early");
            }
            return body;
        }
    }

    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        // Sized to the response: a fresh 64 KiB buffer per small download is most of the garbage a download makes.
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
