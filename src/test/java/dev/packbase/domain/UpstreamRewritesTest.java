package dev.packbase.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamRewritesTest {

    @Test
    void theLongestMatchingPrefixWinsWhateverTheOrderGiven() {
        UpstreamRewrites r = UpstreamRewrites.parse(List.of(
                "https://github.com/=https://mirror.corp/github/",
                "https://github.com/ziglang/=https://zig-mirror.corp/"));
        assertEquals("https://zig-mirror.corp/zig", r.apply("https://github.com/ziglang/zig"));
        assertEquals("https://mirror.corp/github/o/r", r.apply("https://github.com/o/r"));
        assertEquals("https://codeberg.org/o/r", r.apply("https://codeberg.org/o/r"), "no rule, no change");
    }

    @Test
    void aPrefixMatchesFromTheStartOnly() {
        UpstreamRewrites r = UpstreamRewrites.parse(List.of("https://github.com/=http://127.0.0.1:9/"));
        assertEquals("http://example.org/https://github.com/x", r.apply("http://example.org/https://github.com/x"));
    }

    @Test
    void theReplacementMayHoldAnEqualsSign() {
        UpstreamRewrites r = UpstreamRewrites.parse(List.of("https://a/=https://b/?x=1&p="));
        assertEquals("https://b/?x=1&p=r", r.apply("https://a/r"));
    }

    @Test
    void aPairWithoutBothSidesIsRefusedByName() {
        for (String bad : List.of("https://github.com/", "=https://b/", "https://a/=")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UpstreamRewrites.parse(List.of(bad)));
            assertTrue(e.getMessage().contains(bad) && e.getMessage().contains("prefix=replacement"), e.getMessage());
        }
        assertEquals(0, UpstreamRewrites.parse(List.of()).rules().size());
    }
}
