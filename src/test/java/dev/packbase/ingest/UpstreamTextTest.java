package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UpstreamTextTest {

    @Test
    void controlCharactersBecomeSingleSpaces() {
        assertEquals("remote: fatal: bad object", UpstreamText.clean("remote: fatal:\u0000bad\r\n\tobject"));
        assertEquals("a b", UpstreamText.clean("a\u001b[31m b".replace("[31m", "")));
        assertEquals("del c1 gone", UpstreamText.clean("del\u007f c1\u0085gone"));
    }

    @Test
    void edgesAreTrimmedAndOrdinaryTextKept() {
        assertEquals("ünïcödé message", UpstreamText.clean("\u0000\n ünïcödé message \u0000\n"));
        assertEquals("", UpstreamText.clean("\u0000\u0001\n"));
        assertNull(UpstreamText.clean(null));
    }

    @Test
    void longTextIsCut() {
        String cleaned = UpstreamText.clean("x".repeat(UpstreamText.MAX_LENGTH * 3));
        assertEquals(UpstreamText.MAX_LENGTH, cleaned.length());
        assertTrue(cleaned.endsWith("…"));
        assertEquals("x".repeat(UpstreamText.MAX_LENGTH), UpstreamText.clean("x".repeat(UpstreamText.MAX_LENGTH)));
    }
}
