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
    /** An IPv4 or IPv6 address as proxies write it in {@code X-Forwarded-For} (anything else is not believed). */
    private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f.:]{2,45}");

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

    /**
     * The client's address as seen through the trusted proxies: when the peer is one, the last address of
     * {@code X-Forwarded-For} that is not itself a trusted proxy (each proxy appends the address it saw, so the
     * ones left of the last untrusted hop are the client's claims and are not believed); else the peer.
     */
    String clientAddress(HttpServletRequest req) {
        String peer = req.getRemoteAddr();
        if (!config.trustedProxies().contains(peer)) {
            return peer;
        }
        java.util.Enumeration<String> headers = req.getHeaders("X-Forwarded-For");
        java.util.List<String> hops = new java.util.ArrayList<>();
        while (headers != null && headers.hasMoreElements()) {
            for (String hop : headers.nextElement().split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.strip());
                }
            }
        }
        String client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i);
            if (!ADDRESS.matcher(hop).matches()) {
                break;
            }
            client = hop;
            if (!config.trustedProxies().contains(hop)) {
                break;
            }
        }
        return client;
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
