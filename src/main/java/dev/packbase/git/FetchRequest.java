package dev.packbase.git;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an upload-pack request body asks for, as far as packbase decides anything before JGit sees it:
 * the command (v2), the wanted ids, the depth ({@code deepen N}; -1 for the other deepen forms, 0 for
 * none), whether the client said {@code done}, and whether it starts from nothing (no {@code have},
 * {@code shallow}, {@code filter} or {@code want-ref} line). A body that is not pkt-lines parses to
 * empty, and JGit answers it in its own terms.
 */
record FetchRequest(boolean v2, String command, List<String> wants, int deepen, boolean done, boolean fromNothing) {

    /** A shallow fetch by depth (Zig's {@code deepen 1}, {@code git clone --depth N}). */
    boolean shallowByDepth() {
        return deepen > 0 && (!v2 || "fetch".equals(command));
    }

    static Optional<FetchRequest> parse(byte[] body) {
        List<PktLines.Packet> packets;
        try {
            packets = PktLines.parse(body);
        } catch (IOException e) {
            return Optional.empty(); // let JGit answer malformed requests in its own terms
        }
        String command = null;
        List<String> wants = new ArrayList<>();
        int deepen = 0;
        boolean done = false;
        boolean first = true;
        boolean v2 = false;
        boolean fromNothing = true;
        for (PktLines.Packet p : packets) {
            if (p.special() != null) {
                continue;
            }
            String line = p.text();
            if (first) {
                v2 = line.startsWith("command=");
                first = false;
            }
            if (line.startsWith("command=")) {
                command = line.substring("command=".length());
            } else if (line.startsWith("want ")) {
                String id = line.substring(5).split(" ", 2)[0];
                wants.add(id);
            } else if (line.startsWith("deepen ")) {
                try {
                    deepen = Integer.parseInt(line.substring(7).trim());
                } catch (NumberFormatException e) {
                    deepen = -1;
                }
            } else if (line.startsWith("deepen-") || line.equals("deepen-relative")) {
                deepen = -1;
            } else if (line.equals("done")) {
                done = true;
            } else if (line.startsWith("have ") || line.startsWith("shallow ") || line.startsWith("filter ")
                    || line.startsWith("want-ref ")) {
                fromNothing = false;
            }
        }
        return Optional.of(new FetchRequest(v2, command, List.copyOf(wants), deepen, done, fromNothing));
    }
}
