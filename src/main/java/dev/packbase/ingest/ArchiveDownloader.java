package dev.packbase.ingest;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Downloads an archive dependency once, under the rules of every upstream request: the transport URL
 * rewritten ({@code PACKBASE_UPSTREAM_REWRITES}), the scheme and host of the URL and of every redirect hop
 * checked by {@link UpstreamGuard} before connecting (redirects are followed here, one checked hop at a
 * time, at most {@code PACKBASE_FETCH_MAX_REDIRECTS}), the body bounded by
 * {@code PACKBASE_MAX_DOWNLOAD_BYTES} and the whole download by {@code PACKBASE_FETCH_TIMEOUT_SECONDS}.
 */
final class ArchiveDownloader {
    /** A downloaded body in a scratch file, and what the response said it is. */
    record Downloaded(Path file, long size, String sha256, String contentType, String contentDisposition) {
    }

    private final Config.Fetch limits;

    ArchiveDownloader(Config.Fetch limits) {
        this.limits = limits;
    }

    /** Downloads {@code url} (as the dependency declares it) into {@code file}. */
    Downloaded download(String url, Path file) throws IOException {
        long deadline = System.nanoTime() + limits.timeout().toNanos();
        URL next = toUrl(limits.rewrites().apply(url));
        for (int hop = 0; ; hop++) {
            UpstreamGuard.checkScheme(next.getProtocol(), limits);
            UpstreamGuard.checkHost(next.getHost(), limits);
            HttpURLConnection c = (HttpURLConnection) next.openConnection();
            try {
                c.setInstanceFollowRedirects(false);
                c.setConnectTimeout((int) Math.max(1, limits.timeout().toMillis()));
                c.setReadTimeout((int) Math.max(1, limits.timeout().toMillis()));
                c.setRequestProperty("Accept-Encoding", "identity");
                c.setRequestProperty("User-Agent", "packbase");
                int status = c.getResponseCode();
                if (status >= 300 && status < 400 && c.getHeaderField("Location") != null) {
                    if (hop >= limits.maxRedirects()) {
                        throw failed("more than " + limits.maxRedirects() + " redirects (PACKBASE_FETCH_MAX_REDIRECTS) for " + url);
                    }
                    next = toUrl(next.toURI().resolve(c.getHeaderField("Location")).toString());
                    continue;
                }
                if (status != HttpURLConnection.HTTP_OK) {
                    throw failed("upstream answered " + status + " for " + url);
                }
                long declared = c.getContentLengthLong();
                if (declared > limits.maxDownloadBytes()) {
                    throw tooLarge(url);
                }
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                long size = 0;
                try (InputStream in = c.getInputStream();
                        OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha256)) {
                    byte[] buffer = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        size += n;
                        if (size > limits.maxDownloadBytes()) {
                            throw tooLarge(url);
                        }
                        if (System.nanoTime() > deadline) {
                            throw failed("downloading " + url + " took longer than " + limits.timeout().toSeconds()
                                    + " s (PACKBASE_FETCH_TIMEOUT_SECONDS)");
                        }
                        out.write(buffer, 0, n);
                    }
                }
                return new Downloaded(file, size, HexFormat.of().formatHex(sha256.digest()), c.getContentType(),
                        c.getHeaderField("Content-Disposition"));
            } catch (java.net.URISyntaxException e) {
                throw failed("upstream redirected " + url + " to an unusable location: " + e.getMessage());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JDK", e);
            } catch (java.net.SocketTimeoutException e) {
                throw failed("upstream did not answer within " + limits.timeout().toSeconds()
                        + " s (PACKBASE_FETCH_TIMEOUT_SECONDS) for " + url);
            } catch (PackbaseException e) {
                throw e;
            } catch (IOException e) {
                throw failed("cannot download " + url + ": " + UpstreamText.clean(String.valueOf(e.getMessage())));
            } finally {
                c.disconnect();
            }
        }
    }

    private static URL toUrl(String url) {
        try {
            URI uri = new URI(url);
            return new URI(uri.getScheme(), uri.getRawAuthority() == null ? null : uri.getAuthority(), uri.getPath(),
                    uri.getQuery(), null).toURL(); // the fragment is never sent
        } catch (java.net.URISyntaxException | java.net.MalformedURLException | IllegalArgumentException e) {
            throw PackbaseException.badRequest("malformed archive url '" + url + "': " + e.getMessage());
        }
    }

    private PackbaseException tooLarge(String url) {
        return new PackbaseException(ErrorCode.LIMIT_EXCEEDED, url + " is larger than " + limits.maxDownloadBytes()
                + " bytes (PACKBASE_MAX_DOWNLOAD_BYTES)");
    }

    private static PackbaseException failed(String message) {
        return new PackbaseException(ErrorCode.UPSTREAM_FAILED, message, Map.of(), null);
    }
}
