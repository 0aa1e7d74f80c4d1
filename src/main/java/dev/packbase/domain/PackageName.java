package dev.packbase.domain;

import dev.packbase.PackbaseException;
import java.util.Locale;
import java.util.Set;

/**
 * A package name as CONTRACT §4 allows it: letters, digits, {@code .}, {@code _}, {@code -}, not
 * starting with {@code .}, at most 100 characters. Names that would shadow packbase's own top-level
 * paths (the root alias {@code /<pkg>} shares the URL space with them) are reserved.
 */
public record PackageName(String value) {
    /**
     * Top-level paths of packbase (and of the WAR: the launcher lives under /dev, metadata under META-INF;
     * the web face's own files and pages are under /-).
     */
    public static final Set<String> RESERVED = Set.of(
            "api", "p", "h", "git", "dev", "web-inf", "meta-inf", "static", "assets", "health",
            "favicon.ico", "robots.txt", "index.html", ".well-known", "-");

    public PackageName {
        if (!isValid(value)) {
            throw PackbaseException.badRequest("invalid package name '" + value
                    + "': use letters, digits, '.', '_' and '-', not starting with '.', at most 100 characters");
        }
    }

    public static boolean isValid(String value) {
        return value != null && safe(value) && !value.endsWith(".git") && !value.contains("..");
    }

    /** {@code [A-Za-z0-9_-][A-Za-z0-9._-]{0,99}}, as a loop: every tarball download checks a name. */
    private static boolean safe(String value) {
        int n = value.length();
        if (n == 0 || n > 100 || value.charAt(0) == '.') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    public boolean reserved() {
        return RESERVED.contains(value.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return value;
    }
}
