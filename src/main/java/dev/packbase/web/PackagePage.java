package dev.packbase.web;

import dev.packbase.closure.Closure;
import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.ZigSnippets;
import java.util.List;

/** {@code /<pkg>}, {@code /<pkg>/<tag>} and {@code /<pkg>/commit/<id>}: one package, one version on view. */
final class PackagePage {
    private PackagePage() {
    }

    static String render(Site site, PackageView v) {
        String c = Html.esc(site.context());
        String pkgHref = c + "/" + Html.segment(v.name());
        PackageInfo info = v.info();
        PackageInfo.TarballInfo t = v.selected();
        StringBuilder m = new StringBuilder();
        m.append("<h1>").append(Html.esc(v.name()));
        if (t != null && !v.latest()) {
            m.append(" <span class=\"version\">").append(Html.esc(label(v.kind(), t.tag()))).append("</span>");
        }
        m.append("</h1>\n");
        if (!v.summary().isEmpty()) {
            m.append("<p class=\"summary\">").append(Html.visible(v.summary())).append("</p>\n");
        }
        m.append("<dl class=\"facts\">\n");
        if (info.upstreamUrl() != null) {
            m.append("<dt>Upstream</dt><dd>").append(link(info.upstreamUrl())).append("</dd>\n");
        }
        m.append("<dt>Latest</dt><dd>").append(info.latestTag() == null ? "none yet" : "<a href=\"" + pkgHref + "/"
                + Html.segment(info.latestTag()) + "\">" + Html.esc(info.latestTag()) + "</a>").append("</dd>\n");
        m.append("<dt>Health</dt><dd>").append(Layout.health(info.healthy())).append("</dd>\n");
        if (info.checkedAt() > 0) {
            m.append("<dt>Upstream checked</dt><dd>").append(Layout.date(info.checkedAt())).append("</dd>\n");
        }
        m.append("</dl>\n");
        problems(m, "Problems", info.problems());
        problems(m, "Git layer", info.gitProblems());
        problems(m, "Warnings", info.warnings());

        if (t != null) {
            use(site, m, v, t);
        }
        versions(site, m, v, "Versions", RefKind.TAG, info.tarballs());
        if (!info.commits().isEmpty()) {
            versions(site, m, v, "Pinned commits", RefKind.COMMIT, info.commits());
        }
        if (t != null) {
            dependencies(m, v);
        }
        if (v.closure() != null) {
            closure(site, m, v, t);
        }
        m.append("<section aria-labelledby=\"used-by\">\n<h2 id=\"used-by\">Used by</h2>\n");
        if (v.dependents().isEmpty()) {
            m.append("<p>No package here depends on this one.</p>\n");
        } else {
            m.append("<ul class=\"names\">\n");
            for (String d : v.dependents()) {
                m.append("<li><a href=\"").append(c).append('/').append(Html.segment(d)).append("\">").append(Html.esc(d))
                        .append("</a></li>\n");
            }
            m.append("</ul>\n");
        }
        m.append("</section>\n");
        if (t != null) {
            files(site, m, v, t);
            m.append("<section aria-labelledby=\"readme\">\n<h2 id=\"readme\">")
                    .append(v.readmeName() == null ? "README" : Html.visible(v.readmeName())).append("</h2>\n");
            if (v.readmeHtml() == null) {
                m.append("<p>This version has no README.</p>\n");
            } else {
                m.append("<div class=\"readme\">\n").append(v.readmeHtml()).append("\n</div>\n");
                if (v.readmeTruncated()) {
                    m.append("<p>The README is longer than shown; <a href=\"").append(FilesPage.href(site, v.name(),
                            v.kind(), t.tag(), v.readmeName())).append("\">read the whole file</a>.</p>\n");
                }
            }
            m.append("</section>\n");
        }
        String title = v.name() + (t != null && !v.latest() ? " " + label(v.kind(), t.tag()) : "") + " · packbase";
        return Layout.page(site, title, "", m.toString());
    }

    static String label(RefKind kind, String name) {
        return kind == RefKind.COMMIT ? "commit " + name.substring(0, Math.min(12, name.length())) : name;
    }

    private static void use(Site site, StringBuilder m, PackageView v, PackageInfo.TarballInfo t) {
        String tarball = site.base() + t.url();
        m.append("<section aria-labelledby=\"use\">\n<h2 id=\"use\">Use ").append(Html.esc(label(v.kind(), t.tag())))
                .append("</h2>\n");
        m.append(Layout.copyable("fetch-tarball", "Add it to build.zig.zon (tarball)", "zig fetch --save " + tarball));
        m.append(Layout.copyable("fetch-git", "Add it to build.zig.zon (Git)", "zig fetch --save git+" + site.base() + "/"
                + v.name() + "#" + t.tag()));
        String modern = ZigSnippets.dependency(v.name(), t.zig(), tarball, false);
        String legacy = ZigSnippets.dependency(v.name(), t.zig(), tarball, true);
        if (modern != null) {
            m.append(Layout.copyable("zon-modern", "build.zig.zon, Zig 0.14 and later", modern));
        }
        if (legacy != null) {
            m.append(Layout.copyable("zon-legacy", "build.zig.zon, Zig 0.12 and 0.13", legacy));
        }
        if (modern == null && legacy == null && t.zig() != null && t.zig().hashUnavailableReason() != null) {
            m.append("<p>No Zig hash: ").append(Html.esc(t.zig().hashUnavailableReason())).append("</p>\n");
        }
        String manifest = t.url().endsWith(".tar.gz") ? t.url().substring(0, t.url().length() - 7) + ".json" : null;
        m.append("<p class=\"downloads\"><a href=\"").append(Html.esc(site.context() + t.url())).append("\">Download the tarball</a> (")
                .append(Layout.size(t.sizeBytes())).append(")");
        if (manifest != null) {
            m.append(" · <a href=\"").append(Html.esc(site.context() + manifest)).append("\">Manifest</a>");
        }
        m.append("</p>\n");
        if (t.tarballSha256() != null) {
            m.append("<p class=\"digest\">sha256 <code>").append(Html.esc(t.tarballSha256())).append("</code></p>\n");
        }
        if (t.zig() != null) {
            List<String> notes = new java.util.ArrayList<>(t.zig().warnings());
            if (t.zig().manifestError() != null) {
                notes.add(0, "build.zig.zon: " + t.zig().manifestError());
            }
            problems(m, "Warnings for " + label(v.kind(), t.tag()), notes);
        }
        m.append("</section>\n");
    }

    private static void versions(Site site, StringBuilder m, PackageView v, String heading, RefKind kind,
            List<PackageInfo.TarballInfo> all) {
        String id = kind == RefKind.TAG ? "versions" : "commits";
        m.append("<section aria-labelledby=\"").append(id).append("\">\n<h2 id=\"").append(id).append("\">")
                .append(heading).append("</h2>\n");
        if (all.isEmpty()) {
            m.append("<p>No version is mirrored yet.</p>\n</section>\n");
            return;
        }
        m.append("<table class=\"versions\">\n<thead><tr><th scope=\"col\">").append(kind == RefKind.TAG ? "Version" : "Commit")
                .append("</th><th scope=\"col\">Date</th><th scope=\"col\">Size</th><th scope=\"col\">Files</th>"
                        + "<th scope=\"col\">State</th></tr></thead>\n<tbody>\n");
        for (PackageInfo.TarballInfo t : all) {
            boolean current = v.selected() != null && v.kind() == kind && v.selected().tag().equals(t.tag());
            String href = Html.esc(site.context()) + "/" + Html.segment(v.name())
                    + (kind == RefKind.COMMIT ? "/commit/" : "/") + Html.segment(t.tag());
            m.append("<tr").append(current ? " class=\"current\"" : "").append("><th scope=\"row\"><a href=\"").append(href)
                    .append("\"").append(current ? " aria-current=\"page\"" : "").append(">")
                    .append(Html.esc(kind == RefKind.COMMIT ? t.tag().substring(0, Math.min(12, t.tag().length())) : t.tag()))
                    .append("</a></th><td>").append(Layout.date(t.commitTime())).append("</td><td>")
                    .append(Layout.size(t.sizeBytes())).append("</td><td>").append(t.fileCount()).append("</td><td>");
            boolean complete = t.tarballPresent() && t.manifestPresent();
            m.append(complete ? "complete" : "<span class=\"health bad\">files missing</span>");
            List<String> warnings = t.zig() == null ? List.of() : t.zig().warnings();
            if (t.zig() != null && t.zig().manifestError() != null) {
                m.append("; build.zig.zon: ").append(Html.esc(t.zig().manifestError()));
            }
            if (!warnings.isEmpty()) {
                m.append("; ").append(warnings.size()).append(warnings.size() == 1 ? " warning" : " warnings");
            }
            m.append("</td></tr>\n");
        }
        m.append("</tbody>\n</table>\n</section>\n");
    }

    private static void dependencies(StringBuilder m, PackageView v) {
        m.append("<section aria-labelledby=\"dependencies\">\n<h2 id=\"dependencies\">Dependencies</h2>\n");
        if (v.dependencies().isEmpty()) {
            m.append("<p>This version declares no dependencies.</p>\n</section>\n");
            return;
        }
        m.append("<table class=\"dependencies\">\n<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Declared as</th>"
                + "<th scope=\"col\">Here</th></tr></thead>\n<tbody>\n");
        for (PackageView.Dependency d : v.dependencies()) {
            var dep = d.declared();
            m.append("<tr><th scope=\"row\">").append(Html.visible(dep.name())).append("</th><td>");
            if (dep.path() != null) {
                m.append("path <code>").append(Html.visible(dep.path())).append("</code>");
            } else {
                m.append(dep.url() == null ? "" : "<code class=\"url\">" + Html.visible(dep.url()) + "</code>");
                if (dep.hash() != null) {
                    m.append("<br><code class=\"hash\">").append(Html.esc(dep.hash())).append("</code>");
                }
            }
            if (Boolean.TRUE.equals(dep.lazy())) {
                m.append(" <span class=\"muted\">(lazy)</span>");
            }
            m.append("</td><td>");
            if (d.hereHref() != null) {
                m.append("<a href=\"").append(d.hereHref()).append("\">").append(Html.esc(d.hereLabel())).append("</a>");
            } else if (dep.path() != null) {
                m.append("<span class=\"muted\">inside the package</span>");
            } else {
                m.append("<span class=\"health unknown\">not mirrored</span>");
            }
            m.append("</td></tr>\n");
        }
        m.append("</tbody>\n</table>\n</section>\n");
    }

    private static void closure(Site site, StringBuilder m, PackageView v, PackageInfo.TarballInfo t) {
        Closure c = v.closure();
        String json = site.context() + "/api/closure/" + Html.segment(v.name())
                + (v.kind() == RefKind.COMMIT ? "/commit/" : "/") + Html.segment(t.tag());
        m.append("<section aria-labelledby=\"closure\">\n<h2 id=\"closure\">Dependency closure</h2>\n<p>")
                .append(c.complete() ? "Complete: every dependency, lazy ones included, is mirrored here."
                        : "<span class=\"health bad\">Incomplete</span>: some dependencies are not mirrored.")
                .append(" <a href=\"").append(Html.esc(json)).append("\">As JSON</a></p>\n");
        m.append("<table class=\"closure\">\n<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Depth</th>"
                + "<th scope=\"col\">Status</th><th scope=\"col\">Tarball</th></tr></thead>\n<tbody>\n");
        for (Closure.Node n : c.nodes()) {
            m.append("<tr><th scope=\"row\">").append(Html.visible(n.name() == null ? n.url() : n.name()))
                    .append("</th><td>").append(n.depth()).append("</td><td>");
            boolean fine = n.status() == Closure.Status.OK || n.status() == Closure.Status.SKIPPED_PATH;
            m.append(fine ? Html.esc(n.status().json()) : "<span class=\"health bad\">" + Html.esc(n.status().json()) + "</span>");
            if (n.message() != null) {
                m.append(": ").append(Html.visible(n.message()));
            }
            m.append("</td><td>");
            if (n.packbaseUrl() != null) {
                m.append("<a href=\"").append(Html.esc(site.context() + n.packbaseUrl())).append("\">")
                        .append(Html.esc(n.computedHash() == null ? "tarball" : abbreviated(n.computedHash()))).append("</a>");
            }
            m.append("</td></tr>\n");
        }
        m.append("</tbody>\n</table>\n</section>\n");
    }

    private static String abbreviated(String hash) {
        return hash.length() <= 24 ? hash : hash.substring(0, 24) + "…";
    }

    private static void files(Site site, StringBuilder m, PackageView v, PackageInfo.TarballInfo t) {
        m.append("<section aria-labelledby=\"files\">\n<h2 id=\"files\">Files</h2>\n<p>").append(v.fileCount())
                .append(v.fileCount() == 1 ? " file" : " files").append(" · <a href=\"")
                .append(FilesPage.href(site, v.name(), v.kind(), t.tag(), "")).append("\">browse</a></p>\n");
        m.append(FilesPage.listing(site, v.name(), v.kind(), t.tag(), v.topFiles()));
        m.append("</section>\n");
    }

    /** An upstream URL as a link when it is a web URL, as text otherwise. */
    static String link(String url) {
        if (Readme.webUrl(url)) {
            return "<a href=\"" + Html.esc(url) + "\" rel=\"nofollow noopener noreferrer\">" + Html.visible(url) + "</a>";
        }
        return "<code>" + Html.visible(url) + "</code>";
    }

    private static void problems(StringBuilder m, String heading, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        m.append("<div class=\"problems\"><p>").append(Html.esc(heading)).append(":</p><ul>\n");
        for (String p : items) {
            m.append("<li>").append(Html.visible(p)).append("</li>\n");
        }
        m.append("</ul></div>\n");
    }
}
