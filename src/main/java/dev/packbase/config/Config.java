package dev.packbase.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The resolved, validated settings of one packbase instance. */
public record Config(
        Path root,
        int port,
        Optional<String> token,
        Optional<URI> source,
        String release,
        Optional<URI> baseUrl,
        java.util.Set<String> trustedProxies,
        boolean seed,
        Limits limits,
        Update update) {

    /** Settings of POST /api/update and of edges. */
    public record Update(
            java.time.Duration ttl,
            java.time.Duration cooldown,
            long sourceMaxBytes,
            java.time.Duration sourceTimeout,
            boolean readOnly,
            java.time.Duration reloadInterval,
            boolean onStart) {
    }

    /** The limits that protect ingest and the API (each configurable, see {@link Setting}). */
    public record Limits(
            boolean allowFileUrls,
            long maxRequestBytes,
            long maxDownloadBytes,
            long maxTarballBytes,
            int maxFiles,
            Duration fetchTimeout,
            int maxConcurrentIngests,
            java.util.List<String> deniedNetworks,
            java.util.List<String> allowedHosts,
            int maxRedirects,
            java.util.List<String> allowedSchemes,
            int maxConcurrentRequests,
            int ingestThreads,
            long tarballCacheBytes,
            long tarballCacheFileBytes) {
    }
}
