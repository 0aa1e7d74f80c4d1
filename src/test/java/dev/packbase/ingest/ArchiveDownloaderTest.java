package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.config.Config;
import dev.packbase.domain.UpstreamRewrites;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archive downloads under the rules of every upstream request, against a loopback server: rewrites,
 * redirects followed one checked hop at a time, a redirect into a denied network refused before it is
 * connected, and the size limit.
 */
class ArchiveDownloaderTest {
    private static final byte[] BODY = "archive bytes".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 8);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/hop/")) {
                int n = Integer.parseInt(path.substring(5));
                exchange.getResponseHeaders().set("Location", n == 0 ? "/a.tar.gz" : "/hop/" + (n - 1));
                exchange.sendResponseHeaders(302, -1);
            } else if (path.equals("/metadata")) {
                exchange.getResponseHeaders().set("Location", "http://169.254.169.254/latest/meta-data");
                exchange.sendResponseHeaders(302, -1);
            } else if (path.equals("/a.tar.gz")) {
                exchange.getResponseHeaders().set("Content-Type", "application/gzip");
                exchange.sendResponseHeaders(200, BODY.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(BODY);
                }
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ArchiveDownloader downloader(int maxRedirects, long maxBytes) {
        return new ArchiveDownloader(new Config.Fetch(List.of("http", "https"), List.of(), List.of("169.254.0.0/16"),
                maxRedirects, maxBytes, Duration.ofSeconds(10),
                UpstreamRewrites.parse(List.of("https://github.com/=http://127.0.0.1:" + server.getAddress().getPort() + "/"))));
    }

    @Test
    void theRewrittenUrlIsDownloadedThroughCheckedRedirects() throws Exception {
        ArchiveDownloader.Downloaded d = downloader(3, 1 << 20).download("https://github.com/hop/2", dir.resolve("f"));
        assertEquals(BODY.length, d.size());
        assertEquals("application/gzip", d.contentType());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(BODY)),
                d.sha256());
        assertEquals(4, requests.get(), "two hops and the archive, after the first request");
    }

    private void refused(ArchiveDownloader downloader, String url, ErrorCode code, String words) {
        PackbaseException e = assertThrows(PackbaseException.class, () -> downloader.download(url, dir.resolve("g")));
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }

    @Test
    void tooManyRedirectsADeniedTargetAndTooManyBytesAreRefused() {
        refused(downloader(1, 1 << 20), "https://github.com/hop/2", ErrorCode.UPSTREAM_FAILED, "PACKBASE_FETCH_MAX_REDIRECTS");
        refused(downloader(3, 1 << 20), "https://github.com/metadata", ErrorCode.FORBIDDEN, "PACKBASE_FETCH_DENIED_NETWORKS");
        refused(downloader(3, 4), "https://github.com/a.tar.gz", ErrorCode.LIMIT_EXCEEDED, "PACKBASE_MAX_DOWNLOAD_BYTES");
        refused(downloader(3, 1 << 20), "https://github.com/missing.tar.gz", ErrorCode.UPSTREAM_FAILED, "answered 404");
    }
}
