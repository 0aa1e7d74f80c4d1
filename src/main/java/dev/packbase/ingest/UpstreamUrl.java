package dev.packbase.ingest;

import dev.packbase.PackbaseException;
import dev.packbase.domain.TagName;
import dev.packbase.domain.UpstreamRewrites;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * An upstream repository URL as {@code POST /api/fetch} accepts it: {@code git+https}, {@code https},
 * {@code git+http} or {@code http}, and {@code file} only when the operator allowed it.
 *
 * @param given     the URL as the client sent it (recorded in the package record)
 * @param transport the URL handed to Git (the {@code git+} prefix removed)
 * @param identity  scheme-less host and path without a trailing {@code .git} or slash: two URLs
 *                  with the same identity name the same upstream (so http/https or a {@code .git}
 *                  suffix never cause a false name conflict)
 * @param derivedName the last path segment without {@code .git}, the default package name
 * @param ref       the fragment, as Zig writes a pinned ref ({@code #<tag>}, {@code #refs/tags/<tag>} or
 *                  {@code #<commit>}); empty for the whole repository
 */
public record UpstreamUrl(String given, String transport, String identity, String derivedName, Optional<String> ref) {
    /** A fragment without the {@code refs/tags/} that Zig and Git users may write before a tag name. */
    static String tagOrCommit(String ref) {
        return ref.startsWith("refs/tags/") ? ref.substring("refs/tags/".length()) : ref;
    }

    public static UpstreamUrl parse(String raw, boolean allowFile) {
        if (raw == null || raw.isBlank()) {
            throw PackbaseException.badRequest("missing \"url\": expected e.g. git+https://host/owner/repo");
        }
        String text = raw.trim();
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw PackbaseException.badRequest("malformed url '" + raw + "': " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String transportScheme = scheme.startsWith("git+") ? scheme.substring(4) : scheme;
        boolean file = transportScheme.equals("file");
        if (!(transportScheme.equals("https") || transportScheme.equals("http") || (file && allowFile))) {
            throw PackbaseException.badRequest("unsupported url scheme '" + uri.getScheme() + "' in '" + raw
                    + "': use git+https, https, git+http or http" + (file ? " (file URLs are disabled on this node)" : ""));
        }
        if (uri.getRawQuery() != null) {
            throw PackbaseException.badRequest("url '" + raw + "' must not have a query: name the repository, and a ref"
                    + " after '#'");
        }
        Optional<String> ref = Optional.ofNullable(uri.getFragment());
        if (ref.isPresent() && !TagName.isServable(tagOrCommit(ref.get()))) {
            throw PackbaseException.badRequest("ref '" + ref.get() + "' in '" + raw + "' is not a tag name or a full commit id");
        }
        if (ref.isPresent()) {
            text = text.substring(0, text.indexOf('#'));
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                throw PackbaseException.badRequest("malformed url '" + raw + "': " + e.getReason());
            }
        }
        if (uri.getRawUserInfo() != null) {
            throw PackbaseException.badRequest("url '" + raw + "' must not contain credentials");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (!file && (uri.getHost() == null || uri.getHost().isEmpty())) {
            throw PackbaseException.badRequest("url '" + raw + "' has no host");
        }
        String trimmed = path;
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        if (trimmed.endsWith(".git")) {
            trimmed = trimmed.substring(0, trimmed.length() - 4);
        }
        String last = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        if (last.isEmpty()) {
            throw PackbaseException.badRequest("url '" + raw + "' has no repository path");
        }
        String transport = transportScheme + text.substring(scheme.length());
        String authority = file ? "" : uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
        String identity = (file ? "file:" : "") + authority + trimmed;
        return new UpstreamUrl(text, transport, identity, last, ref);
    }

    /**
     * This URL with its transport rewritten ({@code PACKBASE_UPSTREAM_REWRITES}); what the client gave
     * and the identity stay, so the package is bound to the URL it was asked for.
     */
    public UpstreamUrl rewritten(UpstreamRewrites rewrites) {
        return new UpstreamUrl(given, rewrites.apply(transport), identity, derivedName, ref);
    }

    /** Whether {@code recorded} (a package's bound upstream URL) names the same repository as this URL. */
    public boolean sameUpstreamAs(String recorded) {
        if (recorded.equals(given)) {
            return true;
        }
        try {
            return parse(recorded, true).identity().equals(identity);
        } catch (PackbaseException e) {
            return false;
        }
    }
}
