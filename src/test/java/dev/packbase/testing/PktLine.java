package dev.packbase.testing;

import dev.packbase.git.PktLines;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds Git pkt-line request bodies for tests ("0000" and "0001" are written as flush and delimiter), and takes
 * the pack out of a protocol-v2 fetch response.
 */
public final class PktLine {
    private PktLine() {
    }

    public static byte[] encode(String... lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : lines) {
            if (line.equals("0000") || line.equals("0001")) {
                out.writeBytes(line.getBytes(StandardCharsets.US_ASCII));
            } else {
                byte[] data = line.getBytes(StandardCharsets.UTF_8);
                out.writeBytes(String.format("%04x", data.length + 4).getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(data);
            }
        }
        return out.toByteArray();
    }

    /**
     * The pack bytes of a v2 fetch response: the band-1 data of every packet after the {@code packfile} section
     * line. Fails when the response has no such section.
     */
    public static byte[] packOf(byte[] response) throws java.io.IOException {
        ByteArrayOutputStream pack = new ByteArrayOutputStream();
        boolean inPack = false;
        for (PktLines.Packet p : PktLines.parse(response)) {
            if (p.special() == null && inPack) {
                pack.write(p.data(), 1, p.data().length - 1);
            } else if (p.special() == null && p.text().equals("packfile")) {
                inPack = true;
            }
        }
        if (!inPack) {
            throw new AssertionError("no packfile section in " + new String(response, StandardCharsets.UTF_8));
        }
        return pack.toByteArray();
    }
}
