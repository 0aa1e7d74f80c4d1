package dev.packbase.config;

import dev.packbase.domain.S3Location;
import dev.packbase.domain.UpstreamRewrites;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The resolved, validated settings of one packbase instance ({@link ConfigLoader}). The limits are grouped by
 * what they protect, so a component takes the one group it needs: {@link Fetch} (traffic to upstream),
 * {@link Ingest} (what one ingest may produce, and how many run), {@link Http} (the request edge), {@link Update}
 * (update runs and edge reloads).
 */
public record Config(
        Path root,
        Optional<ObjectStorage> objectStorage,
        int port,
        Optional<String> token,
        Optional<URI> source,
        String release,
        Optional<URI> baseUrl,
        Set<String> trustedProxies,
        boolean seed,
        Fetch fetch,
        Ingest ingest,
        Http http,
        Update update,
        Access access) {

    /** The same settings with the seed package turned on or off (operator commands never seed). */
    public Config withSeed(boolean seed) {
        return new Config(root, objectStorage, port, token, source, release, baseUrl, trustedProxies, seed, fetch, ingest, http, update,
                access);
    }

    /**
     * What any download from upstream may do: the Git traffic of one ingest, and the source catalog of an
     * update run. The guards ({@code PACKBASE_FETCH_*}) apply to every connection, redirect targets included.
     */
    public record Fetch(
            List<String> allowedSchemes,
            List<String> allowedHosts,
            List<String> deniedNetworks,
            int maxRedirects,
            long maxDownloadBytes,
            Duration timeout,
            UpstreamRewrites rewrites) {

        /** {@code file:} upstreams (local repositories) are allowed by listing {@code file} as a scheme. */
        public boolean allowFileUrls() {
            return allowedSchemes.contains("file");
        }

        /** The source catalog is read into memory, so it is also bounded by the largest array. */
        public long catalogMaxBytes() {
            return Math.min(maxDownloadBytes, Integer.MAX_VALUE - 8);
        }
    }

    /** What one ingest may write, and how many ingests and CPU threads there are. */
    public record Ingest(
            long maxTarballBytes,
            int maxFiles,
            int maxConcurrent,
            int threads,
            int maxClosureNodes) {
    }

    /** The HTTP edge: request bodies, requests in flight, the heap cache of downloads, metrics on or off. */
    public record Http(
            long maxRequestBytes,
            int maxConcurrentRequests,
            long tarballCacheBytes,
            boolean metrics) {
    }

    /**
     * The s3 storage backend ({@code PACKBASE_STORAGE=s3://…}): where the bucket is, how to reach it, and this
     * node's local directory (scratch work, the object cache).
     */
    public record ObjectStorage(
            S3Location location,
            Optional<URI> endpoint,
            String region,
            boolean pathStyle,
            Duration timeout,
            long cacheBytes,
            Optional<Path> localDir,
            boolean allowUnconditionalWrites,
            Duration presignedRedirect) {
    }

    /**
     * Who may change state and the record of it: the named tokens' file (besides {@link #token}, named
     * {@code default}) and the audit log, a local file of this node.
     */
    public record Access(Optional<Path> tokensFile, Path auditLog) {
        /** Where the audit log is unless {@code PACKBASE_AUDIT_LOG} says otherwise: under the root, beside the state. */
        public static final String DEFAULT_AUDIT_LOG = ".packbase/audit.log";
    }

    /** Settings of POST /api/update and of read-only edges. */
    public record Update(
            Duration ttl,
            Duration cooldown,
            boolean readOnly,
            Duration reloadInterval,
            boolean onStart) {
    }
}
