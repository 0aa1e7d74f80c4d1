package dev.packbase.http;

import dev.packbase.config.Config;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Links to what packbase serves, from the paths of {@link dev.packbase.domain.PublicPaths}: {@link #inContext}
 * for links within the site (the context path prepended), {@link #absolute} for links that leave it
 * (dependency snippets). Nothing else turns a path into a URL, and no URL is made from a storage key.
 *
 * <p>The public base URL of packbase for absolute links: the configured
 * {@code PACKBASE_BASE_URL} first; else {@code X-Forwarded-Proto}/{@code X-Forwarded-Host} when the
 * request comes from a trusted proxy ({@code PACKBASE_TRUSTED_PROXIES}); else the request itself.
 * Forwarded headers from anyone else are ignored, so a client cannot make packbase emit links to a
 * host of its choosing. The context path is always appended.
 */
final class PublicUrls {
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]+");

    private final Config config;

    PublicUrls(Config config) {
        this.config = config;
    }

    /** {@code path} (a {@link dev.packbase.domain.PublicPaths} path) as an absolute URL, for links that leave the site. */
    String absolute(HttpServletRequest req, String path) {
        return base(req) + path;
    }

    /** {@code path} (a {@link dev.packbase.domain.PublicPaths} path) under the context path, for links within the site. */
    static String inContext(HttpServletRequest req, String path) {
        return req.getContextPath() + path;
    }

    String base(HttpServletRequest req) {
        if (config.baseUrl().isPresent()) {
            return config.baseUrl().get().toString();
        }
        String scheme = req.getScheme();
        String host = req.getHeader("Host");
        if (config.trustedProxies().contains(req.getRemoteAddr())) {
            String proto = first(req.getHeader("X-Forwarded-Proto"));
            String forwardedHost = first(req.getHeader("X-Forwarded-Host"));
            if (proto != null && (proto.equalsIgnoreCase("http") || proto.equalsIgnoreCase("https"))) {
                scheme = proto.toLowerCase(Locale.ROOT);
            }
            if (forwardedHost != null && HOST.matcher(forwardedHost).matches()) {
                host = forwardedHost;
            }
        }
        if (host == null || !HOST.matcher(host).matches()) {
            host = req.getServerName() + ":" + req.getServerPort();
        }
        return scheme + "://" + host + req.getContextPath();
    }

    /** The first value of a possibly comma-separated (multi-proxy) header. */
    private static String first(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        int comma = header.indexOf(',');
        return (comma < 0 ? header : header.substring(0, comma)).trim();
    }
}
