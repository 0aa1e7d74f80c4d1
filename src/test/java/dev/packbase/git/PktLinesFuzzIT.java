package dev.packbase.git;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes {@link PktLines#parse}: any byte string either parses or fails with an IOException, and
 * what parses is made of Git's three control packets and data packets that frame back to packets
 * equal to them. Seeds are under PktLinesFuzzTestInputs/parse; `tools/fuzz.sh` fuzzes for real.
 */
class PktLinesFuzzIT {
    private static final Set<String> SPECIALS = Set.of("0000", "0001", "0002");

    @FuzzTest
    void parse(byte[] body) throws IOException {
        List<PktLines.Packet> packets;
        try {
            packets = PktLines.parse(body);
        } catch (IOException expected) {
            return;
        }
        for (PktLines.Packet p : packets) {
            assertTrue(p.special() == null || SPECIALS.contains(p.special()), "not a pkt-line control packet: " + p.special());
            assertTrue(p.data().length <= 0xffff - 4);
            p.text();
        }
        List<PktLines.Packet> again = PktLines.parse(frame(packets));
        assertEquals(packets.size(), again.size());
        for (int i = 0; i < packets.size(); i++) {
            assertEquals(packets.get(i).special(), again.get(i).special());
            assertArrayEquals(packets.get(i).data(), again.get(i).data());
        }
    }

    /** Writes packets back the way packbase writes pkt-lines. */
    static byte[] frame(List<PktLines.Packet> packets) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (PktLines.Packet p : packets) {
            if (p.special() != null) {
                PktLines.special(out, p.special());
            } else {
                PktLines.writeBytes(out, p.data());
            }
        }
        return out.toByteArray();
    }
}
