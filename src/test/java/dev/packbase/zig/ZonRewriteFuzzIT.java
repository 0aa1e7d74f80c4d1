package dev.packbase.zig;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * Fuzzes {@link ZonRewrite}: finding URLs either succeeds or is a {@link ZonParseException}, never
 * another exception; every range found is a quoted literal inside the source; replacing each URL by
 * itself re-parses to the same URLs and hashes, and replacing by a fixed URL yields exactly that URL.
 * Seeds under ZonRewriteFuzzITInputs/rewrite are manifests with dependencies.
 */
class ZonRewriteFuzzIT {
    private static final String ODD = "http://pb/p/x/tag/\"v1\"\\.tar.gz";

    @FuzzTest
    void rewrite(byte[] source) throws ZonParseException {
        List<ZonRewrite.UrlField> urls;
        try {
            urls = ZonRewrite.dependencyUrls(source);
        } catch (ZonParseException e) {
            return;
        }
        for (ZonRewrite.UrlField u : urls) {
            assertTrue(0 <= u.start() && u.start() < u.end() && u.end() <= source.length, u.toString());
            assertEquals('"', source[u.start()]);
            assertEquals('"', source[u.end() - 1]);
        }
        byte[] same = ZonRewrite.replace(source, urls.stream().map(u -> new ZonRewrite.Replacement(u, u.url())).toList());
        List<ZonRewrite.UrlField> again = ZonRewrite.dependencyUrls(same);
        assertEquals(urls.stream().map(u -> u.dependency() + " " + u.url() + " " + u.hash()).toList(),
                again.stream().map(u -> u.dependency() + " " + u.url() + " " + u.hash()).toList());
        byte[] odd = ZonRewrite.replace(source, urls.stream().map(u -> new ZonRewrite.Replacement(u, ODD)).toList());
        ZonRewrite.dependencyUrls(odd).forEach(u -> assertEquals(ODD, u.url()));
        assertArrayEquals(source, ZonRewrite.replace(source, List.of()));
    }
}
