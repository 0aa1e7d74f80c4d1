package dev.packbase.git;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Git's pkt-line framing: a 4-digit hex length (including itself) and the data; {@code 0000} flush,
 * {@code 0001} delimiter, {@code 0002} response end. Used to read requests before JGit sees them and
 * to write the few responses packbase frames itself.
 */
public final class PktLines {
    public static final String FLUSH = "0000";
    public static final String DELIM = "0001";
    /** Largest data per packet of a side-band-64k stream: 65520 minus header and band byte. */
    static final int MAX_BAND_DATA = 65515;

    private PktLines() {
    }

    /** One parsed packet: {@code special} is FLUSH/DELIM/"0002" for control packets, else null. */
    public record Packet(String special, byte[] data) {
        public String text() {
            String s = new String(data, StandardCharsets.UTF_8);
            return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        }
    }

    /** Parses a whole request body; malformed framing is an IOException naming the offset. */
    public static List<Packet> parse(byte[] body) throws IOException {
        List<Packet> packets = new ArrayList<>();
        int pos = 0;
        while (pos < body.length) {
            if (pos + 4 > body.length) {
                throw new IOException("truncated pkt-line header at byte " + pos);
            }
            int len = length(body, pos);
            if (len < 0) {
                throw new IOException("invalid pkt-line length at byte " + pos);
            }
            if (len < 4) {
                if (len == 3) {
                    throw new IOException("invalid pkt-line length 3 at byte " + pos);
                }
                packets.add(new Packet(String.format("%04x", len), new byte[0]));
                pos += 4;
                continue;
            }
            if (pos + len > body.length) {
                throw new IOException("truncated pkt-line at byte " + pos);
            }
            byte[] data = new byte[len - 4];
            System.arraycopy(body, pos + 4, data, 0, len - 4);
            packets.add(new Packet(null, data));
            pos += len;
        }
        return packets;
    }

    /** The length field of the packet at {@code pos} (four bytes must be there), or -1 if it is not hex. */
    static int length(byte[] body, int pos) {
        // Exactly four hex digits: Integer.parseInt would also take a sign ("-001", "+004").
        int len = 0;
        for (int i = pos; i < pos + 4; i++) {
            int b = body[i];
            int digit = b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10
                    : b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
            if (digit < 0) {
                return -1;
            }
            len = len * 16 + digit;
        }
        return len;
    }

    public static void write(OutputStream out, String line) throws IOException {
        writeBytes(out, line.getBytes(StandardCharsets.UTF_8));
    }

    public static void writeBytes(OutputStream out, byte[] data) throws IOException {
        out.write(String.format("%04x", data.length + 4).getBytes(StandardCharsets.US_ASCII));
        out.write(data);
    }

    public static void special(OutputStream out, String packet) throws IOException {
        out.write(packet.getBytes(StandardCharsets.US_ASCII));
    }

    /** Writes {@code data} as side-band channel-1 packets. */
    /** Bytes before a side-band packet's data: the 4-digit length and the band byte. */
    static final int BAND_HEADER = 5;

    /** Fills the first {@link #BAND_HEADER} bytes of {@code packet} for {@code len} bytes of band-1 data after them. */
    static void band1Header(byte[] packet, int len) {
        byte[] length = String.format("%04x", len + BAND_HEADER).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(length, 0, packet, 0, 4);
        packet[4] = 1;
    }

    public static void band1(OutputStream out, byte[] data, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, MAX_BAND_DATA);
            out.write(String.format("%04x", n + 5).getBytes(StandardCharsets.US_ASCII));
            out.write(1);
            out.write(data, off, n);
            off += n;
            len -= n;
        }
    }

    /** An {@code ERR} packet as a complete response body: Git shows it as "remote error: …". */
    public static byte[] error(String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, "ERR " + message + "\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
