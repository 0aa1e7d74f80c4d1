package dev.packbase.closure;

import dev.packbase.PackbaseException;
import dev.packbase.state.ZigHashes;
import dev.packbase.zig.ZonParseException;
import dev.packbase.zig.ZonRewrite;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Points a {@code build.zig.zon}'s top-level dependencies at packbase for online use: a dependency
 * whose {@code .hash} a tarball here has (tag, pinned commit; either hash form) gets that tarball's
 * URL, which gives Zig the same hash, so the hashes stay as they are. Found by hash, not by URL: the
 * hash is what Zig checks, and it holds whichever URL the tarball was mirrored from. A dependency not
 * held here keeps its URL and is reported.
 */
public final class ZonRewriter {
    /** The rewritten manifest, the dependencies now pointing here, and those left as they were. */
    public record Rewritten(byte[] zon, List<Moved> moved, List<Left> left) {
    }

    public record Moved(String dependency, String from, String to) {
    }

    public record Left(String dependency, String url, String reason) {
    }

    private final ZigHashes hashes;

    public ZonRewriter(ZigHashes hashes) {
        this.hashes = hashes;
    }

    /**
     * @param absolute turns a public path ({@code /p/…}) into the URL clients reach it at
     */
    public Rewritten rewrite(byte[] zon, UnaryOperator<String> absolute) {
        List<ZonRewrite.UrlField> urls;
        try {
            urls = ZonRewrite.dependencyUrls(zon);
        } catch (ZonParseException e) {
            throw PackbaseException.badRequest("the build.zig.zon does not parse: " + e.getMessage());
        }
        List<ZonRewrite.Replacement> replacements = new ArrayList<>();
        List<Moved> moved = new ArrayList<>();
        List<Left> left = new ArrayList<>();
        for (ZonRewrite.UrlField url : urls) {
            if (url.hash() == null) {
                left.add(new Left(url.dependency(), url.url(), "it has no .hash (run zig fetch first)"));
                continue;
            }
            Optional<ZigHashes.Held> held = hashes.find(url.hash());
            if (held.isEmpty()) {
                left.add(new Left(url.dependency(), url.url(), "no tarball here has the hash " + url.hash()));
                continue;
            }
            String to = absolute.apply(held.get().publicPath());
            replacements.add(new ZonRewrite.Replacement(url, to));
            moved.add(new Moved(url.dependency(), url.url(), to));
        }
        return new Rewritten(ZonRewrite.replace(zon, replacements), List.copyOf(moved), List.copyOf(left));
    }
}
