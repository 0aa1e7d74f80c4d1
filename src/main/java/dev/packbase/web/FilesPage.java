package dev.packbase.web;

import dev.packbase.domain.RefKind;
import java.util.List;

/**
 * {@code /<pkg>/<version>/-/<path>}: a directory of a version's tarball, or one file: text with line
 * numbers, anything else as its size. File names are shown with {@link Html#visible}.
 */
final class FilesPage {
    /** A file is shown up to this size; the rest is in the tarball. */
    static final int MAX_SHOWN_BYTES = 1 << 20;

    private FilesPage() {
    }

    /** The page of {@code path} ({@code ""} for the top) in a version's tarball. */
    static String href(Site site, String pkg, RefKind kind, String version, String path) {
        return Html.esc(site.context() + "/" + Html.segment(pkg) + (kind == RefKind.COMMIT ? "/commit/" : "/")
                + Html.segment(version) + "/-/" + Html.path(path));
    }

    static String listing(Site site, String pkg, RefKind kind, String version, List<TarballFiles.Entry> entries) {
        StringBuilder m = new StringBuilder("<ul class=\"files\">\n");
        for (TarballFiles.Entry e : entries) {
            m.append("<li class=\"").append(e.kind().name().toLowerCase(java.util.Locale.ROOT)).append("\">");
            if (e.kind() == TarballFiles.Kind.SYMLINK) {
                m.append(Html.visible(e.name())).append(" → <code>").append(Html.visible(e.linkTarget())).append("</code>");
            } else {
                m.append("<a href=\"").append(href(site, pkg, kind, version, e.path())).append("\">")
                        .append(Html.visible(e.name())).append(e.kind() == TarballFiles.Kind.DIRECTORY ? "/" : "")
                        .append("</a>");
                if (e.kind() == TarballFiles.Kind.FILE) {
                    m.append(" <span class=\"muted\">").append(Layout.size(e.size())).append("</span>");
                }
            }
            m.append("</li>\n");
        }
        return m.append("</ul>\n").toString();
    }

    static String directory(Site site, String pkg, RefKind kind, String version, String path,
            List<TarballFiles.Entry> entries) {
        StringBuilder m = new StringBuilder();
        heading(site, m, pkg, kind, version, path);
        m.append(entries.isEmpty() ? "<p>This directory is empty.</p>\n" : listing(site, pkg, kind, version, entries));
        return Layout.page(site, title(pkg, kind, version, path), "", m.toString());
    }

    static String file(Site site, String pkg, RefKind kind, String version, TarballFiles.Entry entry,
            TarballFiles.Content content) {
        StringBuilder m = new StringBuilder();
        heading(site, m, pkg, kind, version, entry.path());
        m.append("<p class=\"muted\">").append(Layout.size(entry.size())).append("</p>\n");
        java.util.Optional<String> text = binary(content.bytes()) ? java.util.Optional.empty()
                : ReadmeSource.utf8(content.bytes());
        if (text.isEmpty()) {
            m.append("<p>A binary file of ").append(Layout.size(entry.size())).append(".</p>\n");
        } else {
            m.append("<pre class=\"code\"><code>");
            String[] lines = text.get().split("\n", -1);
            int n = lines.length;
            if (n > 1 && lines[n - 1].isEmpty()) {
                n--;
            }
            for (int i = 0; i < n; i++) {
                m.append("<span class=\"line\">").append(Html.visible(lines[i])).append("</span>\n");
            }
            m.append("</code></pre>\n");
            if (content.truncated()) {
                m.append("<p>The file is longer than shown; the tarball has all of it.</p>\n");
            }
        }
        return Layout.page(site, title(pkg, kind, version, entry.path()), "", m.toString());
    }

    /** Text has no NUL byte; anything with one is shown as binary. */
    static boolean binary(byte[] bytes) {
        for (int i = 0; i < Math.min(bytes.length, 8192); i++) {
            if (bytes[i] == 0) {
                return true;
            }
        }
        return false;
    }

    private static String title(String pkg, RefKind kind, String version, String path) {
        return (path.isEmpty() ? "files" : path) + " · " + pkg + " " + PackagePage.label(kind, version) + " · packbase";
    }

    /** The heading and the breadcrumb trail from the package to {@code path}. */
    private static void heading(Site site, StringBuilder m, String pkg, RefKind kind, String version, String path) {
        String versionHref = Html.esc(site.context() + "/" + Html.segment(pkg) + (kind == RefKind.COMMIT ? "/commit/" : "/")
                + Html.segment(version));
        m.append("<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><ol>\n<li><a href=\"")
                .append(Html.esc(site.context() + "/" + Html.segment(pkg))).append("\">").append(Html.esc(pkg))
                .append("</a></li>\n<li><a href=\"").append(versionHref).append("\">")
                .append(Html.esc(PackagePage.label(kind, version))).append("</a></li>\n<li><a href=\"")
                .append(href(site, pkg, kind, version, "")).append("\">files</a></li>\n");
        if (!path.isEmpty()) {
            String[] parts = path.split("/");
            StringBuilder so = new StringBuilder();
            for (int i = 0; i < parts.length; i++) {
                so.append(i == 0 ? "" : "/").append(parts[i]);
                if (i == parts.length - 1) {
                    m.append("<li aria-current=\"page\">").append(Html.visible(parts[i])).append("</li>\n");
                } else {
                    m.append("<li><a href=\"").append(href(site, pkg, kind, version, so.toString())).append("\">")
                            .append(Html.visible(parts[i])).append("</a></li>\n");
                }
            }
        }
        m.append("</ol></nav>\n<h1>").append(path.isEmpty() ? "Files" : Html.visible(path)).append("</h1>\n");
    }
}
