package dev.packbase.git;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes {@link WantLines#normalize}: it never throws; a body that does not parse comes back as the
 * same array; a body that parses still parses afterwards, with the same packets except NUL-padded
 * want lines, which become {@code want <40 chars>\n}; and normalizing twice changes nothing more.
 * Seeds under WantLinesFuzzTestInputs/normalize are Zig's ls-refs and fetch request bodies.
 */
class WantLinesFuzzIT {

    @FuzzTest
    void normalize(byte[] body) throws IOException {
        byte[] out = WantLines.normalize(body);
        assertNotNull(out);
        List<PktLines.Packet> in;
        try {
            in = PktLines.parse(body);
        } catch (IOException e) {
            assertSame(body, out, "a body that does not parse must be passed on unchanged");
            return;
        }
        List<PktLines.Packet> normalized = PktLines.parse(out); // must parse wherever the input parsed
        assertEquals(in.size(), normalized.size());
        for (int i = 0; i < in.size(); i++) {
            PktLines.Packet a = in.get(i);
            PktLines.Packet b = normalized.get(i);
            assertEquals(a.special(), b.special());
            if (!Arrays.equals(a.data(), b.data())) {
                assertTrue(new String(a.data(), StandardCharsets.ISO_8859_1).startsWith("want "));
                assertArrayEquals(Arrays.copyOf(a.data(), 45), Arrays.copyOf(b.data(), 45));
                assertEquals(46, b.data().length);
                assertEquals('\n', b.data()[45]);
            }
        }
        assertArrayEquals(out, WantLines.normalize(out), "normalize must be idempotent");
    }
}
