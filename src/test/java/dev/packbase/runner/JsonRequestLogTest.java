package dev.packbase.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The access log's strings are valid JSON whatever a client put in its path. */
class JsonRequestLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void hostileStringsRoundTripThroughAJsonParser() throws Exception {
        for (String value : new String[] {"/p/hello/tag/v1.tar.gz", "quote\" back\\slash", "new\nline\r\ttab",
                "\u0000\u0001\u001f bell\u0007", "line\u2028sep\u2029", "ünïcödé 文件", ""}) {
            StringBuilder out = new StringBuilder("{\"v\":");
            JsonRequestLog.string(out, value);
            out.append('}');
            assertEquals(value, JSON.readTree(out.toString()).path("v").asText(), out.toString());
            assertEquals(-1, out.indexOf("\n"), "one line: " + out);
        }
        StringBuilder nothing = new StringBuilder();
        JsonRequestLog.string(nothing, null);
        assertEquals("null", nothing.toString());
    }
}
