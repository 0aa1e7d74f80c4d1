package dev.packbase.config;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * Resolves {@link Config} from system properties, the environment, servlet context-params and
 * defaults, in that order of precedence (CONTRACT §3). The sources are passed in, so tests never
 * touch the real environment. Every effective value is reported with where it came from; the token
 * never is. Unusable values fail fast with a message naming the setting and the value.
 */
public final class ConfigLoader {
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

    /** The loaded settings plus one human-readable line per setting for the startup log. */
    public record Loaded(Config config, List<String> report) {
    }

    private record Value(String text, String source) {
    }

    public Loaded load() {
        List<String> report = new ArrayList<>();
        Function<Setting, Value> lookup = setting -> {
            Value value = find(setting);
            if (setting == Setting.RELEASE && (value.text() == null || value.text().isEmpty())) {
                value = new Value(buildRelease, "build");
            }
            String shown = value.text() == null ? "(unset)" : setting.secret() ? "(set, hidden)" : value.text();
            if (setting == Setting.ROOT && value.text() != null) {
                shown = value.text() + " -> " + Path.of(value.text()).toAbsolutePath().normalize();
            }
            report.add(setting.dottedName() + " = " + shown + " (" + value.source() + ")");
            return value;
        };

        Path root = Path.of(lookup.apply(Setting.ROOT).text()).toAbsolutePath().normalize();
        int port = (int) parseLong(Setting.PORT, lookup.apply(Setting.PORT), 0, 65535);
        Optional<String> token = Optional.ofNullable(lookup.apply(Setting.TOKEN).text()).filter(t -> !t.isEmpty());
        Optional<URI> source = Optional.ofNullable(lookup.apply(Setting.SOURCE).text())
                .filter(s -> !s.isEmpty())
                .map(s -> parseUri(Setting.SOURCE, s, List.of("https", "http", "file")));
        Value releaseValue = lookup.apply(Setting.RELEASE);
        String release = releaseValue.text();
        Optional<URI> baseUrl = Optional.ofNullable(lookup.apply(Setting.BASE_URL).text())
                .filter(s -> !s.isEmpty())
                .map(s -> parseUri(Setting.BASE_URL, s.endsWith("/") ? s.substring(0, s.length() - 1) : s,
                        List.of("https", "http")));
        String proxies = lookup.apply(Setting.TRUSTED_PROXIES).text();
        java.util.Set<String> trusted = new java.util.TreeSet<>();
        for (String p : (proxies == null ? "" : proxies).split(",")) {
            if (!p.isBlank()) {
                trusted.add(p.trim());
            }
        }
        boolean seed = parseBoolean(Setting.SEED, lookup.apply(Setting.SEED));
        boolean allowFile = parseBoolean(Setting.ALLOW_FILE_URLS, lookup.apply(Setting.ALLOW_FILE_URLS));
        long maxRequest = parseLong(Setting.MAX_REQUEST_BYTES, lookup.apply(Setting.MAX_REQUEST_BYTES), 1, Long.MAX_VALUE);
        long maxDownload = parseLong(Setting.MAX_DOWNLOAD_BYTES, lookup.apply(Setting.MAX_DOWNLOAD_BYTES), 1, Long.MAX_VALUE);
        long maxTarball = parseLong(Setting.MAX_TARBALL_BYTES, lookup.apply(Setting.MAX_TARBALL_BYTES), 1, Long.MAX_VALUE);
        int maxFiles = (int) parseLong(Setting.MAX_FILES, lookup.apply(Setting.MAX_FILES), 1, Integer.MAX_VALUE);
        long timeout = parseLong(Setting.FETCH_TIMEOUT_SECONDS, lookup.apply(Setting.FETCH_TIMEOUT_SECONDS), 1, 86_400);
        int maxIngests = (int) parseLong(Setting.MAX_CONCURRENT_INGESTS, lookup.apply(Setting.MAX_CONCURRENT_INGESTS), 1, 1024);
        List<String> denied = list(lookup.apply(Setting.FETCH_DENIED_NETWORKS).text());
        for (String cidr : denied) {
            if (!dev.packbase.domain.Cidr.isValid(cidr)) {
                throw invalid(Setting.FETCH_DENIED_NETWORKS, cidr, "not an address or CIDR block");
            }
        }
        List<String> allowedHosts = list(lookup.apply(Setting.FETCH_ALLOWED_HOSTS).text());
        int maxRequests = (int) parseLong(Setting.MAX_CONCURRENT_REQUESTS, lookup.apply(Setting.MAX_CONCURRENT_REQUESTS), 1, 100_000);
        long cacheBytes = parseLong(Setting.TARBALL_CACHE_BYTES, lookup.apply(Setting.TARBALL_CACHE_BYTES), 0, Long.MAX_VALUE);
        long cacheFileBytes = parseLong(Setting.TARBALL_CACHE_FILE_BYTES, lookup.apply(Setting.TARBALL_CACHE_FILE_BYTES), 0,
                Integer.MAX_VALUE - 8);
        List<String> schemes = list(lookup.apply(Setting.FETCH_ALLOWED_SCHEMES).text()).stream()
                .map(x -> x.toLowerCase(java.util.Locale.ROOT)).toList();
        for (String scheme : schemes) {
            if (!scheme.equals("https") && !scheme.equals("http")) {
                throw invalid(Setting.FETCH_ALLOWED_SCHEMES, scheme, "only https and http can be listed");
            }
        }
        int ingestThreads = (int) parseLong(Setting.INGEST_THREADS, lookup.apply(Setting.INGEST_THREADS), 0, 256);
        if (ingestThreads == 0) {
            ingestThreads = Runtime.getRuntime().availableProcessors();
        }
        int maxRedirects = (int) parseLong(Setting.FETCH_MAX_REDIRECTS, lookup.apply(Setting.FETCH_MAX_REDIRECTS), 0, 20);

        long ttl = parseLong(Setting.UPDATE_TTL_SECONDS, lookup.apply(Setting.UPDATE_TTL_SECONDS), 0, Long.MAX_VALUE / 1000);
        long cooldown = parseLong(Setting.UPDATE_COOLDOWN_SECONDS, lookup.apply(Setting.UPDATE_COOLDOWN_SECONDS), 0, 86_400);
        long sourceMax = parseLong(Setting.SOURCE_MAX_BYTES, lookup.apply(Setting.SOURCE_MAX_BYTES), 1, Integer.MAX_VALUE - 8);
        long sourceTimeout = parseLong(Setting.SOURCE_TIMEOUT_SECONDS, lookup.apply(Setting.SOURCE_TIMEOUT_SECONDS), 1, 3600);
        boolean readOnly = parseBoolean(Setting.READ_ONLY, lookup.apply(Setting.READ_ONLY));
        long reload = parseLong(Setting.RELOAD_SECONDS, lookup.apply(Setting.RELOAD_SECONDS), 1, 86_400);
        boolean updateOnStart = parseBoolean(Setting.UPDATE_ON_START, lookup.apply(Setting.UPDATE_ON_START));
        Config config = new Config(root, port, token, source, release, baseUrl, java.util.Set.copyOf(trusted), seed,
                new Config.Limits(allowFile, maxRequest, maxDownload, maxTarball, maxFiles, Duration.ofSeconds(timeout),
                        maxIngests, denied, allowedHosts, maxRedirects, schemes, maxRequests, ingestThreads, cacheBytes, cacheFileBytes),
                new Config.Update(Duration.ofSeconds(ttl), Duration.ofSeconds(cooldown), sourceMax,
                        Duration.ofSeconds(sourceTimeout), readOnly, Duration.ofSeconds(reload), updateOnStart));
        return new Loaded(config, List.copyOf(report));
    }

    private static List<String> list(String text) {
        List<String> items = new ArrayList<>();
        for (String item : (text == null ? "" : text).split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return List.copyOf(items);
    }

    private Value find(Setting setting) {
        String sys = systemProperties.getProperty(setting.dottedName());
        if (sys != null) {
            return new Value(sys.trim(), "system property " + setting.dottedName());
        }
        String fromEnv = env.get(setting.envName());
        if (fromEnv != null) {
            return new Value(fromEnv.trim(), "environment " + setting.envName());
        }
        String param = contextParams.apply(setting.dottedName());
        if (param != null) {
            return new Value(param.trim(), "context-param " + setting.dottedName());
        }
        return new Value(setting.defaultValue(), "default");
    }

    private static PackbaseException invalid(Setting setting, String value, String why) {
        return new PackbaseException(ErrorCode.INTERNAL_ERROR,
                "invalid setting " + setting.envName() + "='" + value + "': " + why);
    }

    /** Accepts a plain number or one with a binary suffix (k, m, g), e.g. {@code 512m}. */
    static long parseLong(Setting setting, Value value, long min, long max) {
        String text = value.text().toLowerCase(Locale.ROOT).replace("_", "");
        long factor = 1;
        if (text.endsWith("k") || text.endsWith("m") || text.endsWith("g")) {
            factor = switch (text.charAt(text.length() - 1)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                default -> 1L << 30;
            };
            text = text.substring(0, text.length() - 1);
        }
        long parsed;
        try {
            parsed = Math.multiplyExact(Long.parseLong(text), factor);
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(setting, value.text(), "not a whole number");
        }
        if (parsed < min || parsed > max) {
            throw invalid(setting, value.text(), "must be between " + min + " and " + max);
        }
        return parsed;
    }

    private static boolean parseBoolean(Setting setting, Value value) {
        return switch (value.text().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw invalid(setting, value.text(), "expected true or false");
        };
    }

    private static URI parseUri(Setting setting, String text, List<String> schemes) {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null || !schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
                throw invalid(setting, text, "scheme must be one of " + schemes);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw invalid(setting, text, "not a URL");
        }
    }
}
