package dev.packbase.domain;

import java.util.regex.Pattern;

/** The forms of a Git commit id that packbase meets in pinned refs and paths. */
public final class CommitId {
    private static final Pattern FULL = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern SHORT = Pattern.compile("[0-9a-fA-F]{4,39}");

    private CommitId() {
    }

    /** A full SHA-1 commit id, the only form packbase takes (a short one is ambiguous upstream). */
    public static boolean isFull(String id) {
        return FULL.matcher(id).matches();
    }

    /** Hex of a commit-id-like length: what a user means by a short commit id, unless a tag has that name. */
    public static boolean looksShort(String id) {
        return SHORT.matcher(id).matches();
    }
}
