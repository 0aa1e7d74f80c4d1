package dev.packbase.domain;

import java.util.regex.Pattern;

/**
 * Which upstream tag names packbase turns into tarballs. The tag becomes part of a URL path and a
 * file name ({@code /p/<pkg>/tag/<tag>.tar.gz}), so only a conservative alphabet is accepted; other
 * tags are skipped with a warning rather than escaped, so every URL stays readable and stable.
 */
public final class TagName {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._+-]{0,127}");

    private TagName() {
    }

    public static boolean isServable(String tag) {
        return tag != null && SAFE.matcher(tag).matches() && !tag.contains("..") && !tag.endsWith(".lock")
                && !tag.endsWith(".");
    }
}
