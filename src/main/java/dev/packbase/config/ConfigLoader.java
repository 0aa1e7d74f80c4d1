package dev.packbase.config;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.Cidr;
import dev.packbase.domain.UpstreamRewrites;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import dev.packbase.domain.S3Location;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Resolves the webapp's {@link Config} through {@link Settings}, the same resolver the standalone launcher uses
 * (so both apply CONTRACT §3's precedence and parse values alike). The sources are passed in, so tests never
 * touch the real environment. Every effective value is reported with where it came from, never the token; a
 * retired name logs one warning naming its replacement. Unusable values fail fast with a message naming the
 * setting and the value.
 */
public final class ConfigLoader {
    private static final Logger LOG = Logger.getLogger(ConfigLoader.class.getName());

    /** Upstream schemes packbase can fetch from at all; PACKBASE_FETCH_ALLOWED_SCHEMES picks among them. */
    static final List<String> FETCH_SCHEMES = List.of("https", "http", "file");

    private final Map<String, String> env;
    private final Properties systemProperties;
    private final Function<String, String> contextParams;
    private final String buildRelease;

    public ConfigLoader(Map<String, String> env, Properties systemProperties,
            Function<String, String> contextParams, String buildRelease) {
        this.env = env;
        this.systemProperties = systemProperties;
        this.contextParams = contextParams;
        this.buildRelease = buildRelease;
    }

    /**
     * The loaded settings, one human-readable line per setting for the startup log, and one line per retired
     * name found (already logged as a WARNING by {@link #load}).
     */
    public record Loaded(Config config, List<String> report, List<String> warnings) {
    }

    public Loaded load() {
        Settings settings = new Settings(env, systemProperties, contextParams);
        Config config;
        try {
            config = load(settings);
        } catch (SettingException e) {
            throw new PackbaseException(ErrorCode.INTERNAL_ERROR, e.getMessage());
        }
        settings.warnings().forEach(LOG::warning);
        return new Loaded(config, settings.report(), settings.warnings());
    }

    private Config load(Settings s) {
        Path root = s.path(Setting.ROOT).orElseThrow();
        int port = s.integer(Setting.PORT, 0, 65535);
        Optional<String> token = Optional.ofNullable(s.text(Setting.TOKEN));
        Optional<URI> source = s.url(Setting.SOURCE, List.of("https", "http", "file"));
        String release = s.text(Setting.RELEASE, buildRelease, "build");
        Optional<URI> baseUrl = s.url(Setting.BASE_URL, List.of("https", "http"));
        Set<String> trusted = Set.copyOf(new TreeSet<>(s.list(Setting.TRUSTED_PROXIES)));
        boolean seed = s.flag(Setting.SEED);

        Config.Http http = new Config.Http(
                s.number(Setting.MAX_REQUEST_BYTES, 1, Long.MAX_VALUE),
                s.integer(Setting.MAX_CONCURRENT_REQUESTS, 1, 100_000),
                s.number(Setting.TARBALL_CACHE_BYTES, 0, Long.MAX_VALUE),
                s.flag(Setting.METRICS));
        s.retired(Settings.Retired.TARBALL_CACHE_FILE_BYTES);

        Config.Fetch fetch = fetch(s);
        int threads = s.integer(Setting.INGEST_THREADS, 0, 256);
        Config.Ingest ingest = new Config.Ingest(
                s.number(Setting.MAX_TARBALL_BYTES, 1, Long.MAX_VALUE),
                s.integer(Setting.MAX_FILES, 1, Integer.MAX_VALUE),
                s.integer(Setting.MAX_CONCURRENT_INGESTS, 1, 1024),
                threads == 0 ? Runtime.getRuntime().availableProcessors() : threads,
                s.integer(Setting.MAX_CLOSURE_NODES, 1, 100_000));

        Duration ttl = Duration.ofSeconds(s.number(Setting.UPDATE_TTL_SECONDS, 0, Long.MAX_VALUE / 1000));
        Duration cooldown = Duration.ofSeconds(s.number(Setting.UPDATE_COOLDOWN_SECONDS, 0, 86_400));
        boolean onStart = s.flag(Setting.UPDATE_ON_START);
        boolean readOnly = s.flag(Setting.READ_ONLY);
        Duration reload = Duration.ofSeconds(s.number(Setting.RELOAD_SECONDS, 1, 86_400));
        Config.Update update = new Config.Update(ttl, cooldown, readOnly, reload, onStart);
        Config.Access access = new Config.Access(s.path(Setting.TOKENS_FILE),
                s.path(Setting.AUDIT_LOG).orElse(root.resolve(Config.Access.DEFAULT_AUDIT_LOG)));
        return new Config(root, objectStorage(s), port, token, source, release, baseUrl, trusted, seed, fetch, ingest,
                http, update, access);
    }

    private static Optional<Config.ObjectStorage> objectStorage(Settings s) {
        String storage = s.text(Setting.STORAGE);
        Optional<URI> endpoint = s.url(Setting.S3_ENDPOINT, List.of("https", "http"));
        String region = s.text(Setting.S3_REGION);
        String pathStyle = s.text(Setting.S3_PATH_STYLE);
        Duration timeout = Duration.ofSeconds(s.number(Setting.S3_TIMEOUT_SECONDS, 1, 3600));
        long cacheBytes = s.number(Setting.S3_CACHE_BYTES, 0, Long.MAX_VALUE);
        boolean unconditional = s.flag(Setting.S3_ALLOW_UNCONDITIONAL_WRITES);
        Optional<Path> localDir = s.path(Setting.LOCAL_DIR);
        Duration presigned = Duration.ofSeconds(s.number(Setting.S3_PRESIGNED_REDIRECT_SECONDS, 0, 7 * 86_400));
        if (storage == null) {
            return Optional.empty();
        }
        if (!S3Location.isS3(storage)) {
            throw Settings.invalid(Setting.STORAGE.envName(), storage,
                    "unset (the directory PACKBASE_ROOT) or s3://<bucket>/<prefix>");
        }
        S3Location location;
        try {
            location = S3Location.parse(storage);
        } catch (IllegalArgumentException e) {
            throw Settings.invalid(Setting.STORAGE.envName(), storage, e.getMessage());
        }
        boolean path = pathStyle == null ? endpoint.isPresent()
                : Settings.parseFlag(Setting.S3_PATH_STYLE.envName(), new Settings.Value(pathStyle, "setting"));
        return Optional.of(new Config.ObjectStorage(location, endpoint, region, path, timeout, cacheBytes, localDir,
                unconditional, presigned));
    }

    private static Config.Fetch fetch(Settings s) {
        List<String> schemes = new ArrayList<>();
        for (String scheme : s.list(Setting.FETCH_ALLOWED_SCHEMES)) {
            String lower = scheme.toLowerCase(Locale.ROOT);
            if (!FETCH_SCHEMES.contains(lower)) {
                throw Settings.invalid(Setting.FETCH_ALLOWED_SCHEMES.envName(), scheme,
                        "only " + String.join(", ", FETCH_SCHEMES) + " can be listed");
            }
            if (!schemes.contains(lower)) {
                schemes.add(lower);
            }
        }
        Optional<Settings.Value> allowFile = s.retired(Settings.Retired.ALLOW_FILE_URLS);
        if (allowFile.isPresent() && !allowFile.get().blank()
                && Settings.parseFlag(Settings.Retired.ALLOW_FILE_URLS.envName(), allowFile.get())
                && !schemes.contains("file")) {
            schemes.add("file");
        }
        List<String> hosts = s.list(Setting.FETCH_ALLOWED_HOSTS);
        List<String> denied = s.list(Setting.FETCH_DENIED_NETWORKS);
        for (String cidr : denied) {
            if (!Cidr.isValid(cidr)) {
                throw Settings.invalid(Setting.FETCH_DENIED_NETWORKS.envName(), cidr, "not an address or CIDR block");
            }
        }
        int redirects = s.integer(Setting.FETCH_MAX_REDIRECTS, 0, 20);
        long maxDownload = s.number(Setting.MAX_DOWNLOAD_BYTES, 1, Long.MAX_VALUE);
        s.retired(Settings.Retired.SOURCE_MAX_BYTES);
        Duration timeout = Duration.ofSeconds(s.number(Setting.FETCH_TIMEOUT_SECONDS, 1, 86_400));
        s.retired(Settings.Retired.SOURCE_TIMEOUT_SECONDS);
        UpstreamRewrites rewrites;
        try {
            rewrites = UpstreamRewrites.parse(s.list(Setting.UPSTREAM_REWRITES));
        } catch (IllegalArgumentException e) {
            throw Settings.invalid(Setting.UPSTREAM_REWRITES.envName(), s.text(Setting.UPSTREAM_REWRITES), e.getMessage());
        }
        return new Config.Fetch(List.copyOf(schemes), hosts, denied, redirects, maxDownload, timeout, rewrites);
    }
}
