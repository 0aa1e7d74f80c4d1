package dev.packbase.domain;

/**
 * Which upstream tag names packbase turns into tarballs. The tag becomes part of a URL path and a
 * file name ({@code /p/<pkg>/tag/<tag>.tar.gz}), so only a conservative alphabet is accepted; other
 * tags are skipped with a warning rather than escaped, so every URL stays readable and stable.
 */
public final class TagName {
    private TagName() {
    }

    public static boolean isServable(String tag) {
        return tag != null && safe(tag) && !tag.contains("..") && !tag.endsWith(".lock") && !tag.endsWith(".");
    }

    /** {@code [A-Za-z0-9_][A-Za-z0-9._+-]{0,127}}, as a loop: every tarball download checks a tag. */
    private static boolean safe(String tag) {
        int n = tag.length();
        if (n == 0 || n > 128) {
            return false;
        }
        char first = tag.charAt(0);
        if (first == '.' || first == '+' || first == '-') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = tag.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '+'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
