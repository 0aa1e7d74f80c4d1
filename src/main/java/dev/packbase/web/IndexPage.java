package dev.packbase.web;

/** {@code /}: every package (or the ones a search found), a page at a time, sortable by name or date. */
final class IndexPage {
    private IndexPage() {
    }

    static String render(Site site, Catalogue.Query query, Catalogue.Result result) {
        String c = Html.esc(site.context());
        StringBuilder m = new StringBuilder();
        boolean searching = !query.terms().isEmpty();
        m.append("<h1>").append(searching ? "Search results" : "Packages").append("</h1>\n");
        m.append("<div id=\"results\">\n<p class=\"count\" role=\"status\">");
        if (searching) {
            m.append(result.matches()).append(result.matches() == 1 ? " package matches " : " packages match ")
                    .append("“").append(Html.visible(query.words().strip())).append("”");
        } else {
            m.append(result.total()).append(result.total() == 1 ? " package" : " packages");
        }
        m.append("</p>\n");
        m.append("<p class=\"sort\">Sort by: ").append(sortLink(site, query, Catalogue.Sort.NAME, "name"))
                .append(" · ").append(sortLink(site, query, Catalogue.Sort.DATE, "latest release")).append("</p>\n");
        if (result.rows().isEmpty()) {
            m.append("<p>No package here").append(searching ? " matches these words." : " yet.").append("</p>\n");
        } else {
            m.append("<table class=\"packages\">\n<caption class=\"visually-hidden\">Packages</caption>\n<thead><tr>"
                    + "<th scope=\"col\">Package</th><th scope=\"col\">Description</th><th scope=\"col\">Latest</th>"
                    + "<th scope=\"col\">Released</th><th scope=\"col\">Health</th></tr></thead>\n<tbody>\n");
            for (Catalogue.Row r : result.rows()) {
                m.append("<tr><th scope=\"row\"><a href=\"").append(c).append('/').append(Html.segment(r.name())).append("\">")
                        .append(Html.esc(r.name())).append("</a></th><td>").append(Html.visible(r.description()))
                        .append("</td><td>").append(r.latest() == null ? "<span class=\"muted\">not mirrored yet</span>"
                                : Html.esc(r.latest()))
                        .append("</td><td>").append(Layout.date(r.releasedAt())).append("</td><td>")
                        .append(Layout.health(r.healthy())).append("</td></tr>\n");
            }
            m.append("</tbody>\n</table>\n");
        }
        if (result.pages() > 1) {
            m.append("<nav class=\"pages\" aria-label=\"Pages\">");
            if (result.page() > 1) {
                m.append("<a rel=\"prev\" href=\"").append(href(site, query.words(), query.sort(), result.page() - 1))
                        .append("\">Previous</a> ");
            }
            m.append("<span>Page ").append(result.page()).append(" of ").append(result.pages()).append("</span>");
            if (result.page() < result.pages()) {
                m.append(" <a rel=\"next\" href=\"").append(href(site, query.words(), query.sort(), result.page() + 1))
                        .append("\">Next</a>");
            }
            m.append("</nav>\n");
        }
        m.append("</div>\n");
        return Layout.page(site, searching ? query.words().strip() + " · packbase" : "packbase", query.words(), m.toString());
    }

    private static String sortLink(Site site, Catalogue.Query query, Catalogue.Sort sort, String label) {
        if (query.sort() == sort) {
            return "<strong aria-current=\"true\">" + label + "</strong>";
        }
        return "<a href=\"" + href(site, query.words(), sort, 1) + "\">" + label + "</a>";
    }

    static String href(Site site, String words, Catalogue.Sort sort, int page) {
        StringBuilder q = new StringBuilder();
        if (!words.isBlank()) {
            q.append("q=").append(java.net.URLEncoder.encode(words.strip(), java.nio.charset.StandardCharsets.UTF_8));
        }
        if (sort == Catalogue.Sort.DATE) {
            q.append(q.length() > 0 ? "&" : "").append("sort=date");
        }
        if (page > 1) {
            q.append(q.length() > 0 ? "&" : "").append("page=").append(page);
        }
        return Html.esc(site.context() + "/" + (q.length() > 0 ? "?" + q : ""));
    }
}
