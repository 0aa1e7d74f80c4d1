package dev.packbase.domain;

import dev.packbase.PackbaseException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A package name as CONTRACT §4 allows it: letters, digits, {@code .}, {@code _}, {@code -}, not
 * starting with {@code .}, at most 100 characters. Names that would shadow packbase's own top-level
 * paths (the root alias {@code /<pkg>} shares the URL space with them) are reserved.
 */
public record PackageName(String value) {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");

    /** Top-level paths of packbase (and of the WAR: the launcher lives under /dev, metadata under META-INF). */
    public static final Set<String> RESERVED = Set.of(
            "api", "p", "h", "git", "dev", "web-inf", "meta-inf", "static", "assets", "health",
            "favicon.ico", "robots.txt", "index.html", ".well-known");

    public PackageName {
        if (!isValid(value)) {
            throw PackbaseException.badRequest("invalid package name '" + value
                    + "': use letters, digits, '.', '_' and '-', not starting with '.', at most 100 characters");
        }
    }

    public static boolean isValid(String value) {
        return value != null && SAFE.matcher(value).matches() && !value.endsWith(".git")
                && !value.equals("..") && !value.contains("..");
    }

    public boolean reserved() {
        return RESERVED.contains(value.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return value;
    }
}
