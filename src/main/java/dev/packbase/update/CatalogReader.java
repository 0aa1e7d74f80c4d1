package dev.packbase.update;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.SourceCatalog;
import dev.packbase.ingest.UpstreamUrl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Downloads and validates the source catalog from {@code PACKBASE_SOURCE} (https, http or file),
 * with a time limit and a size limit enforced while reading. A catalog that does not parse, repeats a
 * name or names an unusable package is rejected whole: a half-understood catalog would silently
 * unregister packages.
 */
public final class CatalogReader {
    private final ObjectMapper json;
    private final long maxBytes;
    private final Duration timeout;
    private final boolean allowFileUrls;

    public CatalogReader(ObjectMapper json, long maxBytes, Duration timeout, boolean allowFileUrls) {
        this.json = json;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        this.allowFileUrls = allowFileUrls;
    }

    public SourceCatalog read(URI source) {
        byte[] bytes = download(source);
        SourceCatalog catalog;
        try {
            catalog = json.readValue(bytes, SourceCatalog.class);
        } catch (JsonProcessingException e) {
            throw invalid(source, "not a JSON catalog: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid(source, e.getMessage());
        }
        if (catalog == null) {
            throw invalid(source, "empty document");
        }
        Set<String> seen = new HashSet<>();
        for (SourceCatalog.Entry e : catalog.packages()) {
            if (e == null || e.name() == null || e.url() == null) {
                throw invalid(source, "every package needs a \"name\" and a \"url\"");
            }
            if (!PackageName.isValid(e.name()) || new PackageName(e.name()).reserved()) {
                throw invalid(source, "invalid or reserved package name '" + e.name() + "'");
            }
            if (!seen.add(e.name())) {
                throw invalid(source, "package '" + e.name() + "' is listed twice");
            }
            try {
                UpstreamUrl.parse(e.url(), allowFileUrls);
            } catch (PackbaseException bad) {
                throw invalid(source, "package '" + e.name() + "': " + bad.getMessage());
            }
        }
        return catalog;
    }

    private static PackbaseException invalid(URI source, String why) {
        return new PackbaseException(ErrorCode.UPSTREAM_FAILED, "source catalog " + source + " rejected: " + why);
    }

    private byte[] download(URI source) {
        String scheme = source.getScheme() == null ? "" : source.getScheme().toLowerCase(Locale.ROOT);
        try {
            if (scheme.equals("file")) {
                Path file = Path.of(source);
                if (Files.size(file) > maxBytes) {
                    throw tooLarge(source);
                }
                try (InputStream in = Files.newInputStream(file)) {
                    return readBounded(in, source);
                }
            }
            HttpClient client = HttpClient.newBuilder().connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpRequest request = HttpRequest.newBuilder(source).timeout(timeout)
                    .header("Accept", "application/json").GET().build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    throw new PackbaseException(ErrorCode.UPSTREAM_FAILED,
                            "source catalog " + source + " answered HTTP " + response.statusCode());
                }
                return readBounded(in, source);
            }
        } catch (IOException e) {
            throw new PackbaseException(ErrorCode.UPSTREAM_FAILED,
                    "cannot read source catalog " + source + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PackbaseException(ErrorCode.UPSTREAM_FAILED, "interrupted while reading " + source);
        }
    }

    private byte[] readBounded(InputStream in, URI source) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
            out.write(buffer, 0, n);
            if (out.size() > maxBytes) {
                throw tooLarge(source);
            }
        }
        return out.toByteArray();
    }

    private PackbaseException tooLarge(URI source) {
        return new PackbaseException(ErrorCode.UPSTREAM_FAILED,
                "source catalog " + source + " is larger than " + maxBytes + " bytes (PACKBASE_MAX_DOWNLOAD_BYTES)");
    }
}
