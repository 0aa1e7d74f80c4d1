package dev.packbase.ingest;

import dev.packbase.PackbaseException;
import dev.packbase.config.Config;
import java.io.IOException;
import java.net.Proxy;
import java.net.URL;
import java.util.Locale;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.transport.HttpConfig;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory2;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

/**
 * The HTTP connections of one upstream operation. JGit opens a new connection for the first request
 * and for every redirect hop it follows, so checking each one here applies the SSRF rules of
 * {@link UpstreamGuard} to redirect targets too, which the check of the given URL alone cannot see.
 * The check resolves the host immediately before JGit connects; the JVM's address cache
 * ({@code networkaddress.cache.ttl}, 30 s unless an operator lowers it) then hands the connection the
 * address just checked, so a name re-bound to an internal address between the two lookups is not
 * followed. Redirects are limited through JGit's own {@code http.followRedirects}/{@code maxRedirects},
 * set on the repository the transport reads its configuration from.
 */
final class GuardedConnections implements HttpConnectionFactory2, TransportConfigCallback {
    private final JDKHttpConnectionFactory delegate = new JDKHttpConnectionFactory();
    private final Config.Fetch limits;
    private volatile PackbaseException refused;

    GuardedConnections(Config.Fetch limits) {
        this.limits = limits;
    }

    /** Writes the redirect policy into the configuration JGit's HTTP transport reads for this repository. */
    void applyRedirectPolicy(StoredConfig config) {
        HttpConfig.HttpRedirectMode mode = limits.maxRedirects() == 0
                ? HttpConfig.HttpRedirectMode.FALSE : HttpConfig.HttpRedirectMode.INITIAL;
        config.setString(HttpConfig.HTTP, null, HttpConfig.FOLLOW_REDIRECTS_KEY, mode.toConfigValue());
        config.setInt(HttpConfig.HTTP, null, HttpConfig.MAX_REDIRECTS_KEY, limits.maxRedirects());
    }

    /** The refusal of a connection this operation attempted, which JGit reports only as a transport error. */
    PackbaseException refused() {
        return refused;
    }

    @Override
    public void configure(Transport transport) {
        if (transport instanceof TransportHttp http) {
            http.setHttpConnectionFactory(this);
        }
    }

    @Override
    public HttpConnection create(URL url) throws IOException {
        check(url);
        return delegate.create(url);
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
        check(url);
        return delegate.create(url, proxy);
    }

    @Override
    public GitSession newSession() {
        return delegate.newSession();
    }

    private void check(URL url) throws IOException {
        String scheme = url.getProtocol().toLowerCase(Locale.ROOT);
        try {
            UpstreamGuard.checkScheme(scheme, limits);
            UpstreamGuard.checkHost(url.getHost(), limits);
        } catch (PackbaseException e) {
            refused = e;
            throw new IOException(e.getMessage(), e);
        }
    }
}
