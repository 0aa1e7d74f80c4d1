package dev.packbase.zig;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Finds the {@code .url} of each top-level dependency of a {@code build.zig.zon} with the byte range
 * of its string literal, and replaces such literals in place: every other byte (comments, layout,
 * the hashes) stays as it was, so a rewritten manifest differs from its source only in those URLs.
 */
public final class ZonRewrite {
    private ZonRewrite() {
    }

    /**
     * One dependency with a {@code .url}: its name, the URL, its {@code .hash} (null when it has
     * none), and where the URL's literal is, {@code [start, end)} in bytes, quotes included.
     */
    public record UrlField(String dependency, String url, String hash, int start, int end) {
    }

    /** A new text for one URL literal. */
    public record Replacement(UrlField field, String url) {
    }

    /**
     * The top-level dependencies that have a {@code .url} written as a plain string literal, in source
     * order. A multiline literal (which Zig's loader refuses for a URL anyway) is left out.
     */
    public static List<UrlField> dependencyUrls(byte[] source) throws ZonParseException {
        ZonValue root = ZonParser.parseLenient(source);
        List<UrlField> urls = new ArrayList<>();
        if (!(root instanceof ZonValue.StructLiteral manifest)) {
            throw new ZonParseException(root.position(), "a build.zig.zon is a struct literal .{ … }");
        }
        Optional<ZonValue> deps = manifest.get("dependencies");
        if (deps.isEmpty() || !(deps.get() instanceof ZonValue.StructLiteral dependencies)) {
            return urls;
        }
        for (ZonValue.Field dep : dependencies.fields()) {
            if (!(dep.value() instanceof ZonValue.StructLiteral fields)) {
                continue;
            }
            Optional<ZonValue> url = fields.get("url");
            if (url.isEmpty() || !(url.get() instanceof ZonValue.StringLiteral literal) || literal.multiline()) {
                continue;
            }
            String hash = fields.get("hash").filter(h -> h instanceof ZonValue.StringLiteral)
                    .map(h -> ((ZonValue.StringLiteral) h).text()).orElse(null);
            int start = offset(source, literal.position());
            urls.add(new UrlField(dep.name(), literal.text(), hash, start, literalEnd(source, start)));
        }
        return urls;
    }

    /** {@code source} with each replacement's literal swapped for the new URL, quoted and escaped as Zig reads it. */
    public static byte[] replace(byte[] source, List<Replacement> replacements) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(source.length + 64 * replacements.size());
        int at = 0;
        for (Replacement r : replacements.stream().sorted(Comparator.comparingInt(r -> r.field().start())).toList()) {
            out.write(source, at, r.field().start() - at);
            out.writeBytes(literal(r.url()).getBytes(StandardCharsets.UTF_8));
            at = r.field().end();
        }
        out.write(source, at, source.length - at);
        return out.toByteArray();
    }

    /** A Zig string literal for {@code text}: quotes, backslashes and control characters escaped. */
    static String literal(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                s.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                s.append(String.format("\\x%02x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.append('"').toString();
    }

    /** The byte offset of a parser position (1-based line and byte column). */
    private static int offset(byte[] source, ZonPosition position) {
        int line = 1;
        int i = 0;
        while (line < position.line()) {
            if (source[i++] == '\n') {
                line++;
            }
        }
        return i + position.column() - 1;
    }

    /** The offset just past the closing quote of the literal opening at {@code start}. */
    private static int literalEnd(byte[] source, int start) {
        int i = start + 1;
        while (source[i] != '"') {
            i += source[i] == '\\' ? 2 : 1;
        }
        return i + 1;
    }
}
