package dev.packbase.ingest;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.config.Config;
import dev.packbase.domain.Cidr;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;

/**
 * Keeps {@code POST /api/fetch} from being used to reach places it should not (SSRF): the scheme
 * must be in {@code PACKBASE_FETCH_ALLOWED_SCHEMES}, the host must be in {@code PACKBASE_FETCH_ALLOWED_HOSTS} when that is set, and none of its addresses
 * may lie in {@code PACKBASE_FETCH_DENIED_NETWORKS} (by default link-local, which holds cloud
 * metadata services). Checked before any traffic, and again by {@link GuardedConnections} for every
 * connection JGit opens (redirect targets included); file: URLs are an operator setting and not checked.
 */
final class UpstreamGuard {
    private UpstreamGuard() {
    }

    static void check(UpstreamUrl url, Config.Fetch limits) {
        URI uri = URI.create(url.transport());
        if ("file".equalsIgnoreCase(uri.getScheme())) {
            return;
        }
        checkScheme(uri.getScheme(), limits);
        checkHost(uri.getHost(), limits);
    }

    /** Refuses a scheme outside {@code PACKBASE_FETCH_ALLOWED_SCHEMES} (a redirect from https to http, say). */
    static void checkScheme(String scheme, Config.Fetch limits) {
        String s = scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
        if (!limits.allowedSchemes().contains(s)) {
            throw forbidden("upstream scheme '" + s + "' is not in PACKBASE_FETCH_ALLOWED_SCHEMES "
                    + limits.allowedSchemes());
        }
    }

    /** Refuses a host outside the allowed hosts or resolving into a denied network, naming the setting. */
    static void checkHost(String givenHost, Config.Fetch limits) {
        if (givenHost == null || givenHost.isEmpty()) {
            throw forbidden("upstream URL has no host");
        }
        String host = givenHost.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!limits.allowedHosts().isEmpty() && limits.allowedHosts().stream().noneMatch(pattern(host))) {
            throw forbidden("upstream host '" + host + "' is not in PACKBASE_FETCH_ALLOWED_HOSTS");
        }
        if (limits.deniedNetworks().isEmpty()) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new PackbaseException(ErrorCode.UPSTREAM_FAILED, "upstream host '" + host + "' does not resolve");
        }
        for (InetAddress address : addresses) {
            for (String cidr : limits.deniedNetworks()) {
                if (Cidr.parse(cidr).contains(address)) {
                    throw forbidden("upstream host '" + host + "' resolves to " + address.getHostAddress()
                            + ", inside " + cidr + " (PACKBASE_FETCH_DENIED_NETWORKS)");
                }
            }
        }
    }

    private static java.util.function.Predicate<String> pattern(String host) {
        return allowed -> {
            String a = allowed.toLowerCase(Locale.ROOT);
            return a.startsWith("*.") ? host.endsWith(a.substring(1)) : host.equals(a);
        };
    }

    private static PackbaseException forbidden(String message) {
        return new PackbaseException(ErrorCode.FORBIDDEN, message, Map.of(), null);
    }
}
