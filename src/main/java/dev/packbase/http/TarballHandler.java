package dev.packbase.http;

import dev.packbase.domain.ZigSnippets;
import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PublicPaths;
import dev.packbase.domain.ZigInfo;
import dev.packbase.storage.Storage;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The tarball routes: {@code /p/<pkg>/tag/<tag>.tar.gz} (and the tag's manifest at {@code .json}, its
 * build.zig.zon dependency line at {@code .zon}) and {@code /h/<zig hash>.tar.gz}. It checks the method, has the
 * {@link TarballResolver} find the tag and the {@link TarballSender} send the tarball.
 */
final class TarballHandler {
    private final TarballResolver resolver;
    private final TarballSender sender;
    private final Storage storage;
    private final PublicUrls publicUrls;

    TarballHandler(TarballResolver resolver, TarballSender sender, Storage storage, PublicUrls publicUrls) {
        this.resolver = resolver;
        this.sender = sender;
        this.storage = storage;
        this.publicUrls = publicUrls;
    }

    /** {@code /p/*}. */
    void byTag(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        Methods.require(req, resp, Methods.READ);
        TarballResolver.Version v = resolver.byTag(match.rest(), req.getRequestURI());
        boolean head = req.getMethod().equals("HEAD");
        switch (v.kind()) {
            case TARBALL -> sender.send(req, resp, v, head);
            case MANIFEST -> sendManifest(resp, v, head);
            case SNIPPET -> sendSnippet(req, resp, v, head);
        }
    }

    /** {@code /h/*}. */
    void byHash(HttpServletRequest req, HttpServletResponse resp, Routes.Match match) throws IOException {
        Methods.require(req, resp, Methods.READ);
        sender.send(req, resp, resolver.byHash(match.rest()), req.getMethod().equals("HEAD"));
    }

    private void sendManifest(HttpServletResponse resp, TarballResolver.Version t, boolean head) throws IOException {
        String key = t.manifestKey();
        Storage.ObjectInfo info = storage.stat(key).orElseThrow(() ->
                PackbaseException.notFound("manifest of " + t.pkg() + " " + t.version() + " is missing"));
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
    private void sendSnippet(HttpServletRequest req, HttpServletResponse resp, TarballResolver.Version t, boolean head)
            throws IOException {
        String zigVersion = QueryParameters.get(req, "zig");
        boolean legacy = zigVersion != null && (zigVersion.startsWith("0.12") || zigVersion.startsWith("0.13"));
        PackageName pkg = t.pkg();
        String url = publicUrls.absolute(req, PublicPaths.tarball(pkg, t.ref(), t.tag().tag()));
        // The snippet needs the version's Zig metadata, which only the stored record has.
        ZigInfo zig = resolver.zig(pkg, t.ref(), t.tag().tag()).orElse(null);
        String snippet = ZigSnippets.dependency(pkg.value(), zig, url, legacy);
        if (snippet == null) {
            throw new PackbaseException(ErrorCode.NOT_FOUND, "no " + (legacy ? "legacy" : "Zig 0.14+")
                    + " package hash for " + pkg + " " + t.version()
                    + (zig != null && zig.hashUnavailableReason() != null ? ": " + zig.hashUnavailableReason() : ""),
                    Map.of("package", pkg.value(), t.ref().segment(), t.tag().tag()), null);
        }
        byte[] body = (snippet + "\n").getBytes(StandardCharsets.UTF_8);
        resp.setContentType("text/plain");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "public, max-age=300");
        resp.setContentLength(body.length);
        if (!head) {
            resp.getOutputStream().write(body);
        }
    }
}
