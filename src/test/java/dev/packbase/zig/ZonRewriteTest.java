package dev.packbase.zig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** URL literals of top-level dependencies found by byte range and replaced, nothing else touched. */
class ZonRewriteTest {
    private static final String ZON = """
            .{
                .name = .app, // the consumer
                .version = "0.0.0",
                .dependencies = .{
                    // pinned on main
                    .greet = .{ .url = "git+https://github.com/o/greet#0123456789abcdef0123456789abcdef01234567", .hash = "greet-1.2.0-AAAA" },
                    .@"zlib-ng" = .{
                        .url = "https://example.com/z\\x41.tar.gz?x=\\"y\\"",
                        .hash = "1220abcd",
                        .lazy = true,
                    },
                    .local = .{ .path = "../local" },
                    .fresh = .{ .url = "https://example.com/fresh.tar.gz" },
                },
                .paths = .{""},
            }
            """;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void findsEachUrlWithItsHashAndExactRange() throws Exception {
        byte[] source = bytes(ZON);
        List<ZonRewrite.UrlField> urls = ZonRewrite.dependencyUrls(source);
        assertEquals(List.of("greet", "zlib-ng", "fresh"), urls.stream().map(ZonRewrite.UrlField::dependency).toList());
        assertEquals("https://example.com/zA.tar.gz?x=\"y\"", urls.get(1).url(), "escapes decoded");
        assertEquals("1220abcd", urls.get(1).hash());
        assertEquals(null, urls.get(2).hash());
        for (ZonRewrite.UrlField u : urls) {
            String literal = ZON.substring(u.start(), u.end());
            assertEquals('"', literal.charAt(0));
            assertEquals('"', literal.charAt(literal.length() - 1));
        }
    }

    @Test
    void replacingChangesOnlyTheLiteralsAndRoundTrips() throws Exception {
        byte[] source = bytes(ZON);
        List<ZonRewrite.UrlField> urls = ZonRewrite.dependencyUrls(source);
        String odd = "http://packbase:8080/p/x/tag/v1 \"quoted\" \\ back.tar.gz";
        byte[] out = ZonRewrite.replace(source, List.of(new ZonRewrite.Replacement(urls.get(1), odd),
                new ZonRewrite.Replacement(urls.get(0), "http://packbase/p/greet/commit/0123.tar.gz")));
        String text = new String(out, StandardCharsets.UTF_8);
        String expected = ZON.replace("\"git+https://github.com/o/greet#0123456789abcdef0123456789abcdef01234567\"",
                "\"http://packbase/p/greet/commit/0123.tar.gz\"").replace("\"https://example.com/z\\x41.tar.gz?x=\\\"y\\\"\"",
                ZonRewrite.literal(odd));
        assertEquals(expected, text, "comments, layout and hashes stay byte for byte");
        List<ZonRewrite.UrlField> again = ZonRewrite.dependencyUrls(out);
        assertEquals(odd, again.get(1).url(), "Zig reads back exactly the new URL");
        assertEquals(List.of("greet-1.2.0-AAAA", "1220abcd"), List.of(again.get(0).hash(), again.get(1).hash()));
        assertEquals(ZON, new String(ZonRewrite.replace(source, List.of()), StandardCharsets.UTF_8));
    }

    @Test
    void aManifestWithoutDependenciesHasNoUrlsAndGarbageDoesNotParse() throws Exception {
        assertEquals(List.of(), ZonRewrite.dependencyUrls(bytes(".{ .name = .x, .version = \"1.0.0\" }")));
        assertThrows(ZonParseException.class, () -> ZonRewrite.dependencyUrls(bytes(".{ .dependencies = .{ ")));
        assertThrows(ZonParseException.class, () -> ZonRewrite.dependencyUrls(bytes("\"just a string\"")));
    }
}
