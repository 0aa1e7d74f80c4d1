package dev.packbase.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds Git pkt-line request bodies for tests; "0000" and "0001" are written as flush and delimiter. */
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
}
