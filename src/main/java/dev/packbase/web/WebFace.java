package dev.packbase.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.PackbaseException;
import dev.packbase.closure.ClosureService;
import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.UpdateState;
import dev.packbase.domain.ZigInfo;
import dev.packbase.state.PackageState;
import dev.packbase.state.ZigHashes;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The web face for people: the pages behind {@code /}, {@code /<pkg>}, {@code /<pkg>/<version>}, a version's
 * files and {@code /-/status}, rendered on the server from the state and the stored tarballs. It knows
 * nothing of HTTP: the HTTP edge decides who gets a page (content negotiation) and sends it; a page that
 * does not exist is a {@link PackbaseException} like anywhere else.
 */
public final class WebFace {
    private static final Logger LOG = Logger.getLogger(WebFace.class.getName());
    private static final Map<String, String> IMAGE_TYPES = Map.of("png", "image/png", "jpg", "image/jpeg", "jpeg",
            "image/jpeg", "gif", "image/gif", "webp", "image/webp", "svg", "image/svg+xml");
    private static final int MAX_IMAGE_BYTES = 8 << 20;

    /** A rendered page. */
    public record Page(String html) {
        public byte[] bytes() {
            return html.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A file of a tarball sent as it is (images a README shows), with its media type. */
    public record Raw(byte[] bytes, String contentType) {
    }

    private final PackageState registry;
    private final ZigHashes hashes;
    private final ClosureService closures;
    private final boolean readOnly;
    private final Supplier<UpdateState> updates;
    private final TarballFiles files;
    private final Readme readme = new Readme();
    private final ReadmeSource readmes;
    private final Summaries summaries;
    private final Catalogue catalogue;
    /** Rendered READMEs by tarball sha256 and context path: a tarball never changes, so neither does its README. */
    private final Map<String, Rendered> rendered = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Rendered> eldest) {
            return size() > RENDERED_READMES;
        }
    };
    private static final int RENDERED_READMES = 512;

    /** A version's README as the page shows it; {@code name} null when it has none. */
    private record Rendered(String name, String html, boolean truncated, String summary) {
    }

    public WebFace(PackageState registry, ZigHashes hashes, ClosureService closures, Storage storage, ObjectMapper json,
            Supplier<UpdateState> updates) {
        this.registry = registry;
        this.closures = closures;
        this.hashes = hashes;
        this.readOnly = !storage.writable();
        this.updates = updates;
        this.files = new TarballFiles(storage);
        this.readmes = new ReadmeSource(files, readme);
        this.summaries = new Summaries(storage, json, readmes);
        this.catalogue = new Catalogue(registry, summaries);
    }

    /** Reads the stored descriptions and starts computing the missing ones in the background. */
    public void start() {
        summaries.load();
        catalogue.rows();
    }

    public void close() {
        summaries.close();
    }

    /** {@code /?q=&sort=&page=}: unknown or bad parameters fall back to their defaults. */
    public Page index(Site site, String q, String sort, String page) {
        String words = q == null ? "" : q.length() > 200 ? q.substring(0, 200) : q;
        Catalogue.Sort order = "date".equals(sort) ? Catalogue.Sort.DATE : Catalogue.Sort.NAME;
        int number = 1;
        try {
            number = page == null ? 1 : Integer.parseInt(page);
        } catch (NumberFormatException e) {
            // the first page
        }
        Catalogue.Query query = new Catalogue.Query(words, order, number);
        return new Page(IndexPage.render(site, query, catalogue.search(query)));
    }

    public Page status(Site site) {
        return new Page(StatusPage.render(site, registry.summary(), readOnly, updates.get()));
    }

    public Page error(Site site, int status, String message) {
        return new Page(StatusPage.error(site, status, message));
    }

    /** A package with one version on view: {@code version} null for the latest tag. */
    public Page packagePage(Site site, String pkg, RefKind kind, String version) {
        PackageInfo info = info(pkg);
        Optional<PackageInfo.TarballInfo> selected = version == null ? latest(info) : find(info, kind, version);
        if (version != null && selected.isEmpty()) {
            throw PackbaseException.notFound("package '" + pkg + "' has no " + (kind == RefKind.COMMIT ? "pinned commit "
                    : "version ") + version);
        }
        PackageInfo.TarballInfo t = selected.orElse(null);
        RefKind shown = version == null ? RefKind.TAG : kind;
        Rendered shownReadme = new Rendered(null, null, false, "");
        List<TarballFiles.Entry> top = List.of();
        int fileCount = 0;
        if (t != null && t.tarballPresent()) {
            String key = StorageKeys.tarball(new PackageName(pkg), shown, t.tag());
            try {
                TarballFiles.Listing listing = files.list(key, t.tarballSha256());
                top = listing.children("");
                fileCount = listing.fileCount();
                shownReadme = rendered(site, pkg, shown, t, key, listing);
                summaries.put(t.tarballSha256(), shownReadme.summary());
            } catch (IOException e) {
                LOG.warning(() -> "cannot read the tarball of " + pkg + " " + t.tag() + ": " + e.getMessage());
            }
        }
        List<PackageView.Dependency> deps = new ArrayList<>();
        if (t != null && t.zig() != null) {
            for (ZigInfo.Dependency d : t.zig().dependencies()) {
                deps.add(here(site, d));
            }
        }
        boolean isLatest = t != null && shown == RefKind.TAG && t.tag().equals(info.latestTag()) && version == null;
        PackageView view = new PackageView(pkg, info, shown, t, isLatest, shownReadme.summary(), shownReadme.name(),
                shownReadme.html(), shownReadme.truncated(), top, fileCount, deps, registry.dependents(pkg),
                t == null ? null : closures.find(new PackageName(pkg), shown, t.tag()).orElse(null));
        return new Page(PackagePage.render(site, view));
    }

    private Rendered rendered(Site site, String pkg, RefKind kind, PackageInfo.TarballInfo t, String key,
            TarballFiles.Listing listing) throws IOException {
        String cacheKey = t.tarballSha256() + " " + site.context();
        synchronized (rendered) {
            Rendered r = rendered.get(cacheKey);
            if (r != null) {
                return r;
            }
        }
        Optional<ReadmeSource.Found> found = readmes.find(key, t.tarballSha256());
        Rendered r = found.map(f -> new Rendered(f.name(), readme.render(f.name(), f.text(),
                links(site, pkg, kind, t.tag(), listing)), f.truncated(), readme.summary(f.name(), f.text())))
                .orElse(new Rendered(null, null, false, ""));
        synchronized (rendered) {
            rendered.put(cacheKey, r);
        }
        return r;
    }

    /** A directory or file of a version's tarball ({@code path} {@code ""} for the top). */
    public Page files(Site site, String pkg, RefKind kind, String version, String path) {
        Located at = locate(pkg, kind, version);
        try {
            TarballFiles.Listing listing = files.list(at.key(), at.tarball().tarballSha256());
            if (path.isEmpty()) {
                return new Page(FilesPage.directory(site, pkg, kind, version, "", listing.children("")));
            }
            TarballFiles.Entry entry = listing.find(path).orElseThrow(() -> PackbaseException.notFound(
                    pkg + " " + version + " has no file " + path));
            return switch (entry.kind()) {
                case DIRECTORY -> new Page(FilesPage.directory(site, pkg, kind, version, path, listing.children(path)));
                case SYMLINK -> new Page(FilesPage.file(site, pkg, kind, version, entry, new TarballFiles.Content(
                        ("symbolic link to " + entry.linkTarget()).getBytes(StandardCharsets.UTF_8), false)));
                case FILE -> new Page(FilesPage.file(site, pkg, kind, version, entry, files.read(at.key(), path,
                        FilesPage.MAX_SHOWN_BYTES).orElseThrow()));
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An image of a version's tarball, sent as it is (READMEs show them); nothing else is sent raw. */
    public Raw image(String pkg, RefKind kind, String version, String path) {
        String type = imageType(path).orElseThrow(() -> PackbaseException.notFound("only images are sent raw: " + path));
        Located at = locate(pkg, kind, version);
        try {
            TarballFiles.Entry entry = files.list(at.key(), at.tarball().tarballSha256()).find(path)
                    .filter(e -> e.kind() == TarballFiles.Kind.FILE && e.size() <= MAX_IMAGE_BYTES)
                    .orElseThrow(() -> PackbaseException.notFound(pkg + " " + version + " has no image " + path));
            return new Raw(files.read(at.key(), entry.path(), MAX_IMAGE_BYTES).orElseThrow().bytes(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Located(String key, PackageInfo.TarballInfo tarball) {
    }

    private Located locate(String pkg, RefKind kind, String version) {
        PackageInfo info = info(pkg);
        PackageInfo.TarballInfo t = find(info, kind, version).filter(PackageInfo.TarballInfo::tarballPresent)
                .orElseThrow(() -> PackbaseException.notFound("package '" + pkg + "' has no version " + version));
        return new Located(StorageKeys.tarball(new PackageName(pkg), kind, t.tag()), t);
    }

    private PackageInfo info(String pkg) {
        if (!PackageName.isValid(pkg)) {
            throw PackbaseException.notFound("no package named '" + pkg + "'");
        }
        return registry.info(pkg).orElseThrow(() -> PackbaseException.notFound("no package named '" + pkg + "'"));
    }

    private static Optional<PackageInfo.TarballInfo> latest(PackageInfo info) {
        return info.latestTag() == null ? Optional.empty() : find(info, RefKind.TAG, info.latestTag());
    }

    private static Optional<PackageInfo.TarballInfo> find(PackageInfo info, RefKind kind, String version) {
        return (kind == RefKind.COMMIT ? info.commits() : info.tarballs()).stream()
                .filter(t -> t.tag().equals(version)).findFirst();
    }

    static Optional<String> imageType(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? Optional.empty()
                : Optional.ofNullable(IMAGE_TYPES.get(path.substring(dot + 1).toLowerCase(Locale.ROOT)));
    }

    /** Where a declared dependency is held here: a version's page, or an archive's tarball. */
    private PackageView.Dependency here(Site site, ZigInfo.Dependency d) {
        if (d.hash() == null) {
            return new PackageView.Dependency(d, null, null);
        }
        Optional<ZigHashes.Held> held = hashes.find(d.hash());
        if (held.isEmpty()) {
            return new PackageView.Dependency(d, null, null);
        }
        if (held.get() instanceof ZigHashes.Version v) {
            String href = Html.esc(site.context() + "/" + Html.segment(v.pkg().value())
                    + (v.kind() == RefKind.COMMIT ? "/commit/" : "/") + Html.segment(v.entry().tag()));
            return new PackageView.Dependency(d, href, v.pkg().value() + " " + PackagePage.label(v.kind(), v.entry().tag()));
        }
        return new PackageView.Dependency(d, Html.esc(site.context() + held.get().publicPath()), "mirrored archive");
    }

    /** README links: to the version's files (relative), kept (http, https, mailto), or dropped. */
    static Readme.Links links(Site site, String pkg, RefKind kind, String version, TarballFiles.Listing listing) {
        String filesBase = site.context() + "/" + Html.segment(pkg) + (kind == RefKind.COMMIT ? "/commit/" : "/")
                + Html.segment(version) + "/-/";
        return new Readme.Links() {
            @Override
            public String href(String target) {
                String t = target.strip();
                if (t.startsWith("#")) {
                    return t;
                }
                if (Readme.absolute(t)) {
                    return Readme.webUrl(t) || t.toLowerCase(Locale.ROOT).startsWith("mailto:") ? t : null;
                }
                String path = Readme.resolve(t);
                if (path == null || path.isEmpty() && !t.startsWith("/") && !t.startsWith(".")) {
                    return null;
                }
                if (!path.isEmpty() && listing.find(path).isEmpty()) {
                    return null;
                }
                int hash = t.indexOf('#');
                return filesBase + Html.path(path) + (hash >= 0 ? t.substring(hash) : "");
            }

            @Override
            public String imageSrc(String target) {
                String t = target.strip();
                if (Readme.absolute(t)) {
                    return null;
                }
                String path = Readme.resolve(t);
                if (path == null || imageType(path).isEmpty() || listing.find(path)
                        .filter(e -> e.kind() == TarballFiles.Kind.FILE).isEmpty()) {
                    return null;
                }
                return filesBase + Html.path(path) + "?raw";
            }
        };
    }
}
