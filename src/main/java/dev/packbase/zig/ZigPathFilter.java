package dev.packbase.zig;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Zig's {@code Filter.includePath}: which files of a package survive the {@code .paths} list
 * (notes/zig-client.md §3.1). Entries are normalised as {@code std.fs.path.resolve} does on POSIX,
 * then a path is kept when the set is empty (no {@code .paths} field), holds {@code "."}, holds the
 * path itself, or holds one of its ancestor directories. Matching is exact and case-sensitive; there
 * are no globs.
 */
public final class ZigPathFilter {
    private final Set<String> include;

    private ZigPathFilter(Set<String> include) {
        this.include = include;
    }

    /** The filter for a manifest's {@code .paths}; null (field absent) means "everything". */
    public static ZigPathFilter of(Collection<String> paths) {
        Set<String> set = new LinkedHashSet<>();
        if (paths != null) {
            for (String p : paths) {
                set.add(normalize(p));
            }
        }
        return new ZigPathFilter(set);
    }

    /** The normalised entries, in first-seen order. */
    public Set<String> entries() {
        return Collections.unmodifiableSet(include);
    }

    /**
     * {@code std.fs.path.resolve} of one relative POSIX path: empty and {@code .} components are
     * dropped, {@code ..} removes the previous component or is kept when there is none (so
     * {@code "../x"} stays outside the package and matches nothing), and an empty result is
     * {@code "."}. An absolute entry stays absolute and can match nothing either.
     */
    public static String normalize(String path) {
        boolean absolute = path.startsWith("/");
        Deque<String> parts = new ArrayDeque<>();
        for (String c : path.split("/", -1)) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!parts.isEmpty() && !parts.peekLast().equals("..")) {
                    parts.removeLast();
                } else if (!absolute) {
                    parts.addLast("..");
                }
                continue;
            }
            parts.addLast(c);
        }
        String joined = String.join("/", parts);
        if (absolute) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }

    /** Whether the package-relative, '/'-separated {@code path} of a file or symlink is kept. */
    public boolean includes(String path) {
        if (include.isEmpty() || include.contains(".") || include.contains("") || include.contains(path)) {
            return true;
        }
        String dir = path;
        int slash;
        while ((slash = dir.lastIndexOf('/')) > 0) {
            dir = dir.substring(0, slash);
            if (include.contains(dir)) {
                return true;
            }
        }
        return false;
    }
}
