package dev.packbase.web;

import dev.packbase.domain.UpdateState;
import dev.packbase.state.PackageState;

/** {@code /-/status}: what /api/status says, for people: counts, health, the last update run and its failures. */
final class StatusPage {
    private StatusPage() {
    }

    static String render(Site site, PackageState.Summary summary, boolean readOnly, UpdateState update) {
        String c = Html.esc(site.context());
        StringBuilder m = new StringBuilder("<h1>Status</h1>\n<dl class=\"facts\">\n");
        m.append("<dt>Release</dt><dd>").append(Html.esc(site.release())).append("</dd>\n");
        m.append("<dt>Packages</dt><dd>").append(summary.all().size()).append(" (").append(summary.local().size())
                .append(" mirrored, ").append(summary.registered().size()).append(" in the catalog)</dd>\n");
        m.append("<dt>Healthy</dt><dd>").append(summary.healthy()).append("</dd>\n");
        m.append("<dt>Unhealthy</dt><dd>").append(summary.all().size() - summary.healthy()).append("</dd>\n");
        m.append("<dt>This node</dt><dd>").append(readOnly ? "read-only" : "writable").append("</dd>\n</dl>\n");
        m.append("<section aria-labelledby=\"update\">\n<h2 id=\"update\">Last update run</h2>\n<dl class=\"facts\">\n");
        m.append("<dt>State</dt><dd>").append(Html.esc(update.state())).append("</dd>\n");
        if (update.startedAt() != null) {
            m.append("<dt>Started</dt><dd>").append(Layout.date(update.startedAt())).append("</dd>\n");
        }
        if (update.updatedAt() != null) {
            m.append("<dt>Ended</dt><dd>").append(Layout.date(update.updatedAt())).append("</dd>\n");
        }
        if (update.node() != null) {
            m.append("<dt>Node</dt><dd>").append(Html.esc(update.node())).append("</dd>\n");
        }
        if (update.error() != null) {
            m.append("<dt>Error</dt><dd>").append(Html.visible(update.error())).append("</dd>\n");
        }
        UpdateState.Result r = update.lastResult();
        if (r != null) {
            m.append("<dt>Packages synced</dt><dd>").append(r.packagesSynced()).append("</dd>\n");
            m.append("<dt>Tarballs created</dt><dd>").append(r.tarballsCreated()).append("</dd>\n");
            m.append("<dt>Failed</dt><dd>").append(r.packagesFailed()).append("</dd>\n");
        }
        m.append("</dl>\n");
        if (r != null && !r.failures().isEmpty()) {
            m.append("<table class=\"failures\">\n<caption>Failures of the last run</caption>\n<thead><tr>"
                    + "<th scope=\"col\">Package</th><th scope=\"col\">Error</th><th scope=\"col\">Message</th></tr></thead>\n"
                    + "<tbody>\n");
            for (UpdateState.Failure f : r.failures()) {
                m.append("<tr><th scope=\"row\"><a href=\"").append(c).append('/').append(Html.segment(f.packageName()))
                        .append("\">").append(Html.esc(f.packageName())).append("</a></th><td>").append(Html.esc(f.status()))
                        .append("</td><td>").append(Html.visible(f.message())).append("</td></tr>\n");
            }
            m.append("</tbody>\n</table>\n");
        }
        m.append("</section>\n<p>Machine-readable: <a href=\"").append(c).append("/api/status\">/api/status</a>.</p>\n");
        return Layout.page(site, "Status · packbase", "", m.toString());
    }

    /** A page for an error a browser met: the status and the message, nothing else. */
    static String error(Site site, int status, String message) {
        String m = "<h1>" + (status == 404 ? "Not found" : "Error " + status) + "</h1>\n<p>" + Html.visible(message)
                + "</p>\n<p><a href=\"" + Html.esc(site.context()) + "/\">All packages</a></p>\n";
        return Layout.page(site, (status == 404 ? "Not found" : "Error " + status) + " · packbase", "", m);
    }
}
