package dev.packbase.web;

/**
 * Where a page is served: {@code context} is the path prefix for links within the site ({@code ""} at
 * the root), {@code base} the absolute URL for what users paste elsewhere (commands, {@code build.zig.zon}),
 * {@code release} packbase's version (it names the stylesheet and script, which are cached long).
 */
public record Site(String context, String base, String release) {
}
