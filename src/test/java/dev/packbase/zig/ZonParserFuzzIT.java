package dev.packbase.zig;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes both modes of {@link ZonParser}: any input either parses or fails with a
 * {@link ZonParseException} (anything else escapes and is a finding), and what strict mode accepts,
 * lenient mode accepts too. Seeds: ZonParserFuzzTestInputs/parse and …/parseLenient.
 */
class ZonParserFuzzIT {

    @FuzzTest
    void parse(byte[] source) {
        ZonValue strict;
        try {
            strict = ZonParser.parse(source);
        } catch (ZonParseException expected) {
            return;
        }
        assertNotNull(strict);
        try {
            assertNotNull(ZonParser.parseLenient(source));
        } catch (ZonParseException e) {
            throw new AssertionError("strict ZON parsed but lenient mode refused it: " + e.getMessage(), e);
        }
    }

    @FuzzTest
    void parseLenient(byte[] source) {
        try {
            assertNotNull(ZonParser.parseLenient(source));
        } catch (ZonParseException expected) {
            // the only failure the parser may report
        }
    }
}
