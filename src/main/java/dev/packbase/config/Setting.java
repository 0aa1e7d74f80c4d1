package dev.packbase.config;

import java.util.Locale;

/**
 * Every setting packbase reads, with its environment name, default and meaning. The system property
 * and servlet context-param name are derived mechanically: {@code PACKBASE_MAX_FILES} becomes
 * {@code packbase.max.files} (CONTRACT §3). The README's configuration table lists the same settings.
 */
public enum Setting {
    ROOT("PACKBASE_ROOT", "public", "root directory for tarballs, manifests and state"),
    PORT("PACKBASE_PORT", "8080", "listening port (standalone only; 0 picks a free port)"),
    TOKEN("PACKBASE_TOKEN", null, "bearer token required by POST /api/fetch; unset disables auth"),
    SOURCE("PACKBASE_SOURCE", null, "URL (https, http or file) of the source catalog used by POST /api/update"),
    RELEASE("PACKBASE_RELEASE", null, "release identifier reported by /api/status (default: the build's)"),
    BASE_URL("PACKBASE_BASE_URL", null, "public base URL used in emitted links, e.g. https://pkg.example.com"),
    TRUSTED_PROXIES("PACKBASE_TRUSTED_PROXIES", "127.0.0.1,::1", "comma-separated addresses whose X-Forwarded-Proto/Host are believed (used when PACKBASE_BASE_URL is unset); empty trusts none"),
    SEED("PACKBASE_SEED", "true", "materialise the built-in 'hello' package into an empty root"),
    ALLOW_FILE_URLS("PACKBASE_ALLOW_FILE_URLS", "false", "let POST /api/fetch accept file: upstream URLs"),
    MAX_REQUEST_BYTES("PACKBASE_MAX_REQUEST_BYTES", "65536", "largest accepted JSON request body"),
    MAX_DOWNLOAD_BYTES("PACKBASE_MAX_DOWNLOAD_BYTES", "536870912", "most bytes one ingest may download from upstream"),
    MAX_TARBALL_BYTES("PACKBASE_MAX_TARBALL_BYTES", "268435456", "largest .tar.gz written for one tag"),
    MAX_FILES("PACKBASE_MAX_FILES", "50000", "most files in one tag's tree"),
    FETCH_TIMEOUT_SECONDS("PACKBASE_FETCH_TIMEOUT_SECONDS", "300", "time limit for one ingest's upstream traffic"),
    MAX_CONCURRENT_INGESTS("PACKBASE_MAX_CONCURRENT_INGESTS", "4", "ingests (POST /api/fetch) that may run at once; more get 503 busy with Retry-After"),
    INGEST_THREADS("PACKBASE_INGEST_THREADS", "0", "CPU threads that ingests spread their tarballs, derived packs and Git self-check over, shared by all ingests (0: one per processor)"),
    MAX_CONCURRENT_REQUESTS("PACKBASE_MAX_CONCURRENT_REQUESTS", "128", "HTTP requests served at once; more get 503 busy with Retry-After instead of queueing (keep it below the container's thread pool)"),
    TARBALL_CACHE_BYTES("PACKBASE_TARBALL_CACHE_BYTES", "67108864", "heap held by the in-memory copies of small tarballs that downloads are served from (tarballs are immutable, so a copy is never stale); 0 turns the cache off"),
    TARBALL_CACHE_FILE_BYTES("PACKBASE_TARBALL_CACHE_FILE_BYTES", "1048576", "largest tarball kept in that cache; larger ones are always streamed from storage"),
    FETCH_DENIED_NETWORKS("PACKBASE_FETCH_DENIED_NETWORKS", "169.254.0.0/16,fe80::/10,0.0.0.0/8",
            "upstream addresses POST /api/fetch refuses (CIDR list; stops requests into cloud metadata and link-local services)"),
    FETCH_ALLOWED_SCHEMES("PACKBASE_FETCH_ALLOWED_SCHEMES", "https,http", "upstream URL schemes POST /api/fetch accepts, redirect targets included (https, http; file: is PACKBASE_ALLOW_FILE_URLS)"),
    FETCH_MAX_REDIRECTS("PACKBASE_FETCH_MAX_REDIRECTS", "5", "HTTP redirects one upstream request may follow; every target is checked like the original URL (0 follows none)"),
    FETCH_ALLOWED_HOSTS("PACKBASE_FETCH_ALLOWED_HOSTS", "", "if set, the only upstream hosts POST /api/fetch accepts (comma-separated; *.example.com matches subdomains)"),
    UPDATE_TTL_SECONDS("PACKBASE_UPDATE_TTL_SECONDS", "3600", "POST /api/update re-checks a package's upstream tags only when the last check is older than this"),
    UPDATE_COOLDOWN_SECONDS("PACKBASE_UPDATE_COOLDOWN_SECONDS", "30", "minimum time between the end of one update run and the start of the next (429 before that)"),
    SOURCE_MAX_BYTES("PACKBASE_SOURCE_MAX_BYTES", "8388608", "largest source catalog accepted"),
    SOURCE_TIMEOUT_SECONDS("PACKBASE_SOURCE_TIMEOUT_SECONDS", "30", "time limit for downloading the source catalog"),
    UPDATE_ON_START("PACKBASE_UPDATE_ON_START", "false", "run POST /api/update once in the background after startup (imports fixtures, syncs the catalog)"),
    READ_ONLY("PACKBASE_READ_ONLY", "false", "serve as a read-only edge even if the root is writable"),
    RELOAD_SECONDS("PACKBASE_RELOAD_SECONDS", "10", "on a read-only edge: how often to pick up what the central node wrote");

    private final String envName;
    private final String defaultValue;
    private final String description;

    Setting(String envName, String defaultValue, String description) {
        this.envName = envName;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String envName() {
        return envName;
    }

    /** {@code packbase.max.files}: the system property and context-param name. */
    public String dottedName() {
        return envName.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    public boolean secret() {
        return this == TOKEN;
    }
}
