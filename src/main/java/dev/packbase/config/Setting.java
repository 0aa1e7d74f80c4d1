package dev.packbase.config;

import java.util.Locale;

/**
 * The one list of settings packbase reads: environment name, default and meaning. The system property and
 * servlet context-param name are derived mechanically: {@code PACKBASE_MAX_FILES} becomes
 * {@code packbase.max.files} (CONTRACT §3). The README's configuration table is generated from this list
 * ({@link SettingsTable}; {@code ConfigLoaderTest} fails when the two differ), and names that are no longer
 * settings are in {@link Settings.Retired}.
 *
 * <p>This class and every other {@code Setting*} class of this package use the JDK only: they are copied to
 * the root of the executable WAR, where the standalone launcher reads its settings through them before any
 * webapp class exists (see pom.xml).
 */
public enum Setting {
    ROOT("PACKBASE_ROOT", "public", "root directory for tarballs, manifests and state (the absolute path is logged); "
            + "with object storage, only fixture repositories (`git/`) are read from it"),
    STORAGE("PACKBASE_STORAGE", null, "where tarballs, manifests and state live: unset is the directory `PACKBASE_ROOT`; "
            + "`s3://<bucket>/<prefix>` is a bucket on an S3-compatible engine (README \"Running on object storage\")"),
    S3_ENDPOINT("PACKBASE_S3_ENDPOINT", null, "object storage: the engine's URL (`http://127.0.0.1:7070`); unset is AWS S3. "
            + "Credentials come from the standard AWS chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, profile files, "
            + "container and instance roles) and are never logged"),
    S3_REGION("PACKBASE_S3_REGION", "us-east-1", "object storage: the region requests are signed for"),
    S3_PATH_STYLE("PACKBASE_S3_PATH_STYLE", null, "object storage: path-style URLs (`<endpoint>/<bucket>/<key>`) instead "
            + "of virtual-hosted ones; default true when `PACKBASE_S3_ENDPOINT` is set, false for AWS"),
    S3_TIMEOUT_SECONDS("PACKBASE_S3_TIMEOUT_SECONDS", "10", "object storage: time limit for one request to the engine "
            + "(connect, and each read); past it the request fails and clients get `503` with `Retry-After`"),
    S3_CACHE_BYTES("PACKBASE_S3_CACHE_BYTES", "1073741824", "object storage: local disk held by copies of the objects "
            + "last read (tarballs, Git packs), from which downloads are served; named by key and ETag, so never stale"),
    S3_ALLOW_UNCONDITIONAL_WRITES("PACKBASE_S3_ALLOW_UNCONDITIONAL_WRITES", "false", "object storage: start writable "
            + "even when the engine ignores `If-None-Match`/`If-Match` (checked at startup); immutability then holds "
            + "only while one node writes at a time"),
    S3_PRESIGNED_REDIRECT_SECONDS("PACKBASE_S3_PRESIGNED_REDIRECT_SECONDS", "0", "object storage: above `0`, tarball "
            + "downloads are a `302` to a URL on the engine signed for this many seconds, so the bytes bypass packbase "
            + "(clients must reach the engine). Off by default: Zig 0.15 fails on a `Location` header over 1,024 bytes, "
            + "and presigned URLs (with session tokens above all) are often longer; a matching `If-None-Match` is "
            + "still a `304` from packbase"),
    LOCAL_DIR("PACKBASE_LOCAL_DIR", null, "object storage: this node's own directory for ingest scratch work and the "
            + "object cache; default a fresh directory under the system's temporary directory"),
    PORT("PACKBASE_PORT", "8080", "standalone only: listening port (`0` picks a free port)"),
    HOST("PACKBASE_HOST", "0.0.0.0", "standalone only: listening address"),
    TOKEN("PACKBASE_TOKEN", null, "bearer token required by the calls that change state (`POST /api/fetch`, "
            + "`/api/closure`, `/api/bundle`) and by `GET /api/audit`, recorded in the audit log as `default`; unset, and "
            + "without `PACKBASE_TOKENS_FILE`, auth is off"),
    TOKENS_FILE("PACKBASE_TOKENS_FILE", null, "file of named tokens, one `name:token` or `name:sha256:<hex of the "
            + "token's SHA-256>` a line (`#` comments; bad lines are logged and ignored), read again when it changes; "
            + "when set, a token is required even if no line is valid (README \"Tokens\")"),
    AUDIT_LOG("PACKBASE_AUDIT_LOG", null, "the audit log, one JSON line per call that changes state (README \"Audit\"); "
            + "default `<PACKBASE_ROOT>/.packbase/audit.log`, a local file of this node also with object storage"),
    SOURCE("PACKBASE_SOURCE", null, "URL (`https`, `http`, `file`) of the source catalog for `POST /api/update`"),
    RELEASE("PACKBASE_RELEASE", null,
            "release id reported by `/api/status` (set at build time with `-Dpackbase.release=r0007`)"),
    BASE_URL("PACKBASE_BASE_URL", null, "public base URL for absolute links (the dependency snippets), including any "
            + "context path, e.g. `https://pkg.example.com`"),
    TRUSTED_PROXIES("PACKBASE_TRUSTED_PROXIES", "127.0.0.1,::1", "addresses whose `X-Forwarded-Proto`/`X-Forwarded-Host` "
            + "set the base URL of emitted links when `PACKBASE_BASE_URL` is unset; empty trusts none"),
    SEED("PACKBASE_SEED", "true", "create the built-in `hello` package when the root is empty and writable"),
    MAX_REQUEST_BYTES("PACKBASE_MAX_REQUEST_BYTES", "65536", "largest request body (JSON, or the `build.zig.zon` sent to "
            + "`POST /api/rewrite`)"),
    MAX_DOWNLOAD_BYTES("PACKBASE_MAX_DOWNLOAD_BYTES", "536870912",
            "most bytes one upstream download may bring: one ingest's Git traffic, or the source catalog"),
    MAX_TARBALL_BYTES("PACKBASE_MAX_TARBALL_BYTES", "268435456", "largest `.tar.gz` written for one tag"),
    MAX_FILES("PACKBASE_MAX_FILES", "50000", "most files in one tag"),
    MAX_CLOSURE_NODES("PACKBASE_MAX_CLOSURE_NODES", "500", "most packages one `POST /api/closure` mirrors; the "
            + "dependencies past it are reported `limit_exceeded`"),
    FETCH_TIMEOUT_SECONDS("PACKBASE_FETCH_TIMEOUT_SECONDS", "300",
            "time limit for one upstream download: one ingest's Git traffic, or the source catalog"),
    MAX_CONCURRENT_INGESTS("PACKBASE_MAX_CONCURRENT_INGESTS", "4",
            "ingests through `POST /api/fetch` that may run at once; more get `503 busy` with `Retry-After`"),
    INGEST_THREADS("PACKBASE_INGEST_THREADS", "0", "CPU threads that ingests spread their work over (tarballs, derived "
            + "Git packs, the Git self-check), shared by all ingests; `0` is one per processor"),
    MAX_CONCURRENT_REQUESTS("PACKBASE_MAX_CONCURRENT_REQUESTS", "128", "HTTP requests served at once; more get "
            + "`503 busy` with `Retry-After: 1` at once instead of queueing (keep it below the container's thread pool: "
            + "Tomcat's and Jetty's default to 200); standalone, downloads of cached tarballs are answered without a "
            + "thread and are not counted"),
    TARBALL_CACHE_BYTES("PACKBASE_TARBALL_CACHE_BYTES", "67108864", "heap held by in-memory copies of tarballs up to "
            + "1 MiB, from which downloads are served without touching the disk (larger ones are always streamed from "
            + "storage, in Tomcat with `sendfile`); tarballs are immutable and a copy is "
            + "only used when its sha256 is the registry's, so it is never stale; `0` turns the cache off (count it in "
            + "the heap you give the JVM)"),
    FETCH_DENIED_NETWORKS("PACKBASE_FETCH_DENIED_NETWORKS", "169.254.0.0/16,fe80::/10,0.0.0.0/8", "upstream addresses "
            + "`POST /api/fetch` refuses with 403 (stops requests into cloud metadata and link-local services); add "
            + "private ranges to lock it down further"),
    FETCH_ALLOWED_SCHEMES("PACKBASE_FETCH_ALLOWED_SCHEMES", "https,http", "upstream schemes `POST /api/fetch` and the "
            + "source catalog's entries accept, redirect targets included: `https`, `http`, `file` (local repositories, "
            + "for tests and mirrors of a file system); `https` alone refuses plain HTTP and downgrading redirects"),
    FETCH_MAX_REDIRECTS("PACKBASE_FETCH_MAX_REDIRECTS", "5", "HTTP redirects one upstream request may follow; each "
            + "target is checked against the allowed schemes and hosts and the denied networks, like the original URL "
            + "(`0` follows none)"),
    FETCH_ALLOWED_HOSTS("PACKBASE_FETCH_ALLOWED_HOSTS", "", "if set, the only upstream hosts `POST /api/fetch` accepts "
            + "(`git.example.com,*.corp.example`)"),
    UPSTREAM_REWRITES("PACKBASE_UPSTREAM_REWRITES", "", "comma-separated `prefix=replacement` pairs applied to every "
            + "upstream repository URL (API fetches and the source catalog's entries) before traffic, like Git's `url.<base>.insteadOf` (the longest prefix wins; matched against the "
            + "URL without `git+`): `https://github.com/=https://git-mirror.corp.example/github/`. The package keeps the "
            + "URL it was asked for; the rewritten one is checked against the allowed schemes, hosts and denied networks"),
    UPDATE_TTL_SECONDS("PACKBASE_UPDATE_TTL_SECONDS", "3600",
            "`POST /api/update` re-checks a package's upstream only when its last check is older than this"),
    UPDATE_COOLDOWN_SECONDS("PACKBASE_UPDATE_COOLDOWN_SECONDS", "30",
            "minimum time between the end of one update run and the start of the next (`429` before that)"),
    UPDATE_ON_START("PACKBASE_UPDATE_ON_START", "false", "run one update in the background right after startup"),
    READ_ONLY("PACKBASE_READ_ONLY", "false", "serve as a read-only edge even when the root is writable"),
    RELOAD_SECONDS("PACKBASE_RELOAD_SECONDS", "10", "on a read-only edge, and on every node with object storage: how "
            + "often it picks up what other nodes wrote (the longest a package fetched through one node stays unknown "
            + "to another)"),
    METRICS("PACKBASE_METRICS", "true", "serve `GET /metrics` for Prometheus (its text format, OpenMetrics when the "
            + "`Accept` header asks for it); `false` counts nothing and answers `/metrics` 404"),
    METRICS_PORT("PACKBASE_METRICS_PORT", null, "standalone only: serve `GET /metrics` on this port (same address) "
            + "and nowhere else; unset: on the main port"),
    ACCESS_LOG("PACKBASE_ACCESS_LOG", null, "standalone only: file for an access log (appended to)"),
    ACCESS_LOG_FORMAT("PACKBASE_ACCESS_LOG_FORMAT", "ncsa", "standalone only: the access log's format: `ncsa` (NCSA "
            + "combined) or `json` (one JSON object per line: time, request id, method, path, route kind, status, bytes, "
            + "duration, remote address)"),
    MAX_THREADS("PACKBASE_MAX_THREADS", "200", "standalone only: request threads"),
    IDLE_TIMEOUT_SECONDS("PACKBASE_IDLE_TIMEOUT_SECONDS", "30",
            "standalone only: a connection that sends and reads nothing this long is closed");

    private static final String STANDALONE = "standalone only: ";

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
        return dotted(envName);
    }

    static String dotted(String envName) {
        return envName.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** The default as text; {@code null} when unset by default. */
    public String defaultValue() {
        return defaultValue;
    }

    /** The README's sentence (Markdown). */
    public String description() {
        return description;
    }

    public boolean secret() {
        return this == TOKEN;
    }

    /**
     * Read by the standalone launcher only; a servlet container has its own listener settings, so the webapp
     * neither reads nor logs these. {@link #PORT} is the one exception the webapp also reads ({@code Config.port}).
     */
    public boolean standaloneOnly() {
        return description.startsWith(STANDALONE);
    }
}
