package dev.packbase.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The frame every page shares (document head, header with the search form, footer) and the small
 * formatting rules pages agree on: dates in UTC as {@code 2026-12-07}, sizes in B/KB/MB.
 */
final class Layout {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Layout() {
    }

    /** A whole document: {@code title} (plain text), {@code main} (HTML) inside the shared frame. */
    static String page(Site site, String title, String query, String main) {
        String c = Html.esc(site.context());
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<meta name=\"color-scheme\" content=\"light dark\">\n"
                + "<title>" + Html.esc(title) + "</title>\n"
                + "<link rel=\"stylesheet\" href=\"" + c + "/-/style.css?v=" + Html.esc(site.release()) + "\">\n"
                + "<script src=\"" + c + "/-/site.js?v=" + Html.esc(site.release()) + "\" defer></script>\n"
                + "</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n"
                + "<header class=\"site\">\n<a class=\"brand\" href=\"" + c + "/\">packbase</a>\n"
                + "<form class=\"search\" role=\"search\" action=\"" + c + "/\" method=\"get\">\n"
                + "<label for=\"q\">Search packages</label>\n"
                + "<input id=\"q\" name=\"q\" type=\"search\" value=\"" + Html.esc(query) + "\" autocomplete=\"off\""
                + " data-live=\"results\">\n<button type=\"submit\">Search</button>\n</form>\n"
                + "<nav aria-label=\"Site\"><a href=\"" + c + "/-/status\">Status</a></nav>\n</header>\n"
                + "<main id=\"main\">\n" + main + "</main>\n"
                + "<footer class=\"site\">packbase " + Html.esc(site.release()) + " · <a href=\"" + c
                + "/api/status\">API</a></footer>\n</body>\n</html>\n";
    }

    static String date(long epochSeconds) {
        return epochSeconds <= 0 ? "" : "<time datetime=\"" + DAY.format(Instant.ofEpochSecond(epochSeconds)) + "\">"
                + DAY.format(Instant.ofEpochSecond(epochSeconds)) + "</time>";
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
    }

    /** A health mark that says it in words too (not only by colour). */
    static String health(Boolean healthy) {
        if (healthy == null) {
            return "<span class=\"health unknown\">not checked</span>";
        }
        return healthy ? "<span class=\"health ok\">healthy</span>" : "<span class=\"health bad\">unhealthy</span>";
    }

    /** A command or snippet with a copy button (the button appears where JavaScript runs). */
    static String copyable(String id, String label, String text) {
        return "<div class=\"copy\">\n<p class=\"copy-label\">" + Html.esc(label) + "</p>\n"
                + "<pre id=\"" + id + "\"><code>" + Html.visible(text) + "</code></pre>\n"
                + "<button type=\"button\" class=\"copy-button\" data-copy=\"" + id + "\" aria-label=\"Copy: "
                + Html.esc(label) + "\" hidden>Copy</button>\n</div>\n";
    }
}
