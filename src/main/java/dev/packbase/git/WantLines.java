package dev.packbase.git;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Repairs one Zig client quirk before JGit parses a request. Zig 0.14 and 0.15 format the object id
 * of {@code want <oid>} into a buffer sized for SHA-256 and send the unused bytes as NULs
 * ({@code want <40 hex>} followed by 24 zero bytes). Git's own server reads only the id and ignores the
 * rest; JGit rejects the line and the fetch dies. Such lines are rewritten to {@code want <40 hex>\n};
 * every other byte of the request is passed on unchanged.
 */
final class WantLines {
    private WantLines() {
    }

    static byte[] normalize(byte[] body) {
        List<PktLines.Packet> packets;
        try {
            packets = PktLines.parse(body);
        } catch (IOException e) {
            return body;
        }
        boolean changed = false;
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
        try {
            for (PktLines.Packet p : packets) {
                if (p.special() != null) {
                    PktLines.special(out, p.special());
                    continue;
                }
                byte[] data = p.data();
                int idEnd = 5 + 40;
                if (data.length > idEnd && startsWithWant(data) && paddedWithNuls(data, idEnd)) {
                    byte[] line = Arrays.copyOf(data, idEnd + 1); // the id's bytes as sent, then LF
                    line[idEnd] = '\n';
                    PktLines.writeBytes(out, line);
                    changed = true;
                } else {
                    PktLines.writeBytes(out, data);
                }
            }
        } catch (IOException e) {
            return body;
        }
        return changed ? out.toByteArray() : body;
    }

    private static boolean startsWithWant(byte[] data) {
        return data[0] == 'w' && data[1] == 'a' && data[2] == 'n' && data[3] == 't' && data[4] == ' ';
    }

    private static boolean paddedWithNuls(byte[] data, int from) {
        boolean sawNul = false;
        for (int i = from; i < data.length; i++) {
            if (data[i] == 0) {
                sawNul = true;
            } else if (data[i] != '\n') {
                return false;
            }
        }
        return sawNul;
    }
}
