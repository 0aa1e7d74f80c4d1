package dev.packbase.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * The one place where a setting's text is found and parsed, for the webapp ({@link ConfigLoader}) and for the
 * standalone launcher alike (CONTRACT §3): system property {@code packbase.<dotted.name>}, then environment
 * variable, then servlet context-param (the launcher has none), then the default. Values are stripped; an empty
 * value of a single-valued setting means its default (so {@code -e PACKBASE_PORT=} in a container changes
 * nothing), while an empty list is a list with nothing in it ({@code PACKBASE_TRUSTED_PROXIES=} trusts none).
 *
 * <p>Every value read is recorded for the startup log with its source ({@link #report}); the token's value never
 * is. A name that is no longer a setting ({@link Retired}) still works and adds exactly one warning naming its
 * replacement ({@link #warnings}). An unusable value throws {@link SettingException} naming the variable and
 * the value.
 *
 * <p>JDK only, like every {@code Setting*} class here: the launcher reaches it from the WAR root.
 */
public final class Settings {

    /**
     * Names that were settings and are not any more. Each still works: reading its replacement checks for it,
     * and finding it logs one warning with the advice below. What its value still does is up to the reader of
     * the replacement ({@link ConfigLoader}): {@link #ALLOW_FILE_URLS} still adds {@code file}, the others are
     * ignored because what they bounded is now bounded by the replacement.
     */
    public enum Retired {
        ALLOW_FILE_URLS("PACKBASE_ALLOW_FILE_URLS", Setting.FETCH_ALLOWED_SCHEMES,
                "list `file` there instead; a true value still adds `file`"),
        SOURCE_MAX_BYTES("PACKBASE_SOURCE_MAX_BYTES", Setting.MAX_DOWNLOAD_BYTES,
                "the source catalog is an upstream download like any other; the value is ignored"),
        SOURCE_TIMEOUT_SECONDS("PACKBASE_SOURCE_TIMEOUT_SECONDS", Setting.FETCH_TIMEOUT_SECONDS,
                "the source catalog is an upstream download like any other; the value is ignored"),
        TARBALL_CACHE_FILE_BYTES("PACKBASE_TARBALL_CACHE_FILE_BYTES", Setting.TARBALL_CACHE_BYTES,
                "the cache keeps tarballs up to 1 MiB, a fixed size; the value is ignored");

        private final String envName;
        private final Setting replacement;
        private final String advice;

        Retired(String envName, Setting replacement, String advice) {
            this.envName = envName;
            this.replacement = replacement;
            this.advice = advice;
        }

        public String envName() {
            return envName;
        }

        public String dottedName() {
            return Setting.dotted(envName);
        }

        public Setting replacement() {
            return replacement;
        }

        /** What to do instead (Markdown), for the warning and the README. */
        public String advice() {
            return advice;
        }
    }

    /** A setting's text ({@code null}: unset) and where it came from, e.g. {@code environment PACKBASE_PORT}. */
    public record Value(String text, String source) {
        boolean blank() {
            return text == null || text.isEmpty();
        }
    }

    private final Map<String, String> env;
    private final Properties systemProperties;
    private final Function<String, String> contextParams;
    private final List<String> report = new ArrayList<>();
    private final Set<Setting> reported = EnumSet.noneOf(Setting.class);
    private final Set<String> warnings = new LinkedHashSet<>();

    /** The sources in order of precedence; pass {@code name -> null} where there are no context-params. */
    public Settings(Map<String, String> env, Properties systemProperties, Function<String, String> contextParams) {
        this.env = env;
        this.systemProperties = systemProperties;
        this.contextParams = contextParams;
    }

    /** This process's system properties and environment, without context-params: the launcher's sources. */
    public static Settings ofProcess() {
        return new Settings(System.getenv(), System.getProperties(), name -> null);
    }

    /** One line per setting read so far, in reading order: {@code packbase.port = 8080 (default)}. */
    public List<String> report() {
        return List.copyOf(report);
    }

    /** One line per retired name found, each naming its replacement. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The effective text of a setting (the default when nothing sets it), recorded for {@link #report}. */
    public Value value(Setting setting) {
        Value value = find(setting.dottedName(), setting.envName());
        if (value == null) {
            value = new Value(setting.defaultValue(), "default");
        }
        note(setting, value);
        return value;
    }

    /**
     * The text of a single-valued setting whose default is known only at run time (the build's release id):
     * unset or empty gives {@code fallback}, reported as coming from {@code fallbackSource}.
     */
    public String text(Setting setting, String fallback, String fallbackSource) {
        Value value = find(setting.dottedName(), setting.envName());
        if (value == null || value.blank()) {
            value = new Value(fallback, fallbackSource);
        }
        note(setting, value);
        return value.text();
    }

    /**
     * A retired name's text when something still sets it; the first call that finds it adds its warning. Read
     * it where its replacement is read, so a deployment that sets both sees both in the log.
     */
    public Optional<Value> retired(Retired retired) {
        Value value = find(retired.dottedName(), retired.envName());
        if (value == null) {
            return Optional.empty();
        }
        warnings.add(retired.envName() + " (" + value.source() + ") is deprecated; use "
                + retired.replacement().envName() + ": " + retired.advice().replace("`", ""));
        return Optional.of(value);
    }

    /** A setting whose empty value means its default; {@code null} when unset by default. */
    public String text(Setting setting) {
        Value value = value(setting);
        return value.blank() ? setting.defaultValue() : value.text();
    }

    /** A whole number within [min, max]; sizes may carry a binary suffix ({@code 512m}) and underscores. */
    public long number(Setting setting, long min, long max) {
        Value value = value(setting);
        return parseNumber(setting.envName(), value.blank() ? new Value(setting.defaultValue(), value.source()) : value,
                min, max);
    }

    public int integer(Setting setting, int min, int max) {
        return (int) number(setting, min, max);
    }

    /** true/yes/1/on or false/no/0/off, any case. */
    public boolean flag(Setting setting) {
        Value value = value(setting);
        return parseFlag(setting.envName(), value.blank() ? new Value(setting.defaultValue(), value.source()) : value);
    }

    /** A comma-separated list, items stripped, empty items dropped; empty text is the empty list. */
    public List<String> list(Setting setting) {
        return split(value(setting).text());
    }

    /** An absolute, normalised path; empty when unset. */
    public Optional<Path> path(Setting setting) {
        String text = text(setting);
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(text).toAbsolutePath().normalize());
        } catch (InvalidPathException e) {
            throw invalid(setting.envName(), text, e.getReason());
        }
    }

    /** A URL with one of the given schemes; a trailing slash is dropped. Empty when unset. */
    public Optional<URI> url(Setting setting, List<String> schemes) {
        String text = text(setting);
        if (text == null) {
            return Optional.empty();
        }
        String trimmed = text.endsWith("/") && text.length() > 1 ? text.substring(0, text.length() - 1) : text;
        try {
            URI uri = new URI(trimmed);
            if (uri.getScheme() == null || !schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
                throw invalid(setting.envName(), text, "scheme must be one of " + schemes);
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            throw invalid(setting.envName(), text, "not a URL");
        }
    }

    /** The standard message for a value that cannot be used: names the variable, the value and why. */
    public static SettingException invalid(String envName, String value, String why) {
        return new SettingException("invalid setting " + envName + "='" + value + "': " + why);
    }

    static long parseNumber(String envName, Value value, long min, long max) {
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
            throw invalid(envName, value.text(), "not a whole number (from " + value.source() + ")");
        }
        if (parsed < min || parsed > max) {
            throw invalid(envName, value.text(), "must be between " + min + " and " + max + " (from " + value.source() + ")");
        }
        return parsed;
    }

    static boolean parseFlag(String envName, Value value) {
        return switch (value.text().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw invalid(envName, value.text(), "expected true or false (from " + value.source() + ")");
        };
    }

    static List<String> split(String text) {
        List<String> items = new ArrayList<>();
        for (String item : (text == null ? "" : text).split(",")) {
            if (!item.isBlank()) {
                items.add(item.strip());
            }
        }
        return List.copyOf(items);
    }

    private Value find(String dotted, String envName) {
        String sys = systemProperties.getProperty(dotted);
        if (sys != null) {
            return new Value(sys.strip(), "system property " + dotted);
        }
        String fromEnv = env.get(envName);
        if (fromEnv != null) {
            return new Value(fromEnv.strip(), "environment " + envName);
        }
        String param = contextParams.apply(dotted);
        if (param != null) {
            return new Value(param.strip(), "context-param " + dotted);
        }
        return null;
    }

    private void note(Setting setting, Value value) {
        if (!reported.add(setting)) {
            return;
        }
        String shown = value.text() == null ? "(unset)" : value.text().isEmpty() ? "(empty)"
                : setting.secret() ? "(set, hidden)" : value.text();
        if (setting == Setting.ROOT && !value.blank()) {
            shown = value.text() + " -> " + Path.of(value.text()).toAbsolutePath().normalize();
        }
        report.add(setting.dottedName() + " = " + shown + " (" + value.source() + ")");
    }
}
