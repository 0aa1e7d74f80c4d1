package dev.packbase.git;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;

/**
 * The parentless commit packbase serves for a tag. It is derived byte for byte from the upstream
 * commit: the same author, committer, encoding and message, over the upstream tree, with no parents
 * and no signature (a signature over a different object would be false). Zig writes this commit id
 * into build.zig.zon ({@code ...?ref=v1.0#<id>}), so the derivation must never change: the same
 * upstream commit gives the same id on every machine, forever.
 */
public final class RootCommit {
    private RootCommit() {
    }

    /** The commit object's content (without the {@code commit <len>\0} header). */
    public static byte[] derive(byte[] upstreamCommit, ObjectId tree) {
        int bodyStart = indexOfBlankLine(upstreamCommit);
        ByteArrayOutputStream out = new ByteArrayOutputStream(upstreamCommit.length);
        out.writeBytes(("tree " + tree.name() + "\n").getBytes(StandardCharsets.US_ASCII));
        int pos = 0;
        boolean keep = false;
        while (pos < bodyStart) {
            int end = lineEnd(upstreamCommit, pos, bodyStart);
            boolean continuation = upstreamCommit[pos] == ' ';
            if (!continuation) {
                keep = startsWith(upstreamCommit, pos, "author ") || startsWith(upstreamCommit, pos, "committer ")
                        || startsWith(upstreamCommit, pos, "encoding ");
            }
            if (keep) {
                out.write(upstreamCommit, pos, end - pos);
            }
            pos = end;
        }
        // The blank separator line and the message, unchanged.
        out.write(upstreamCommit, bodyStart, upstreamCommit.length - bodyStart);
        return out.toByteArray();
    }

    public static ObjectId id(byte[] commitContent) {
        try (ObjectInserter.Formatter f = new ObjectInserter.Formatter()) {
            return f.idFor(Constants.OBJ_COMMIT, commitContent);
        }
    }

    private static int indexOfBlankLine(byte[] raw) {
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '\n' && (i == 0 || raw[i - 1] == '\n')) {
                return i;
            }
        }
        return raw.length;
    }

    private static int lineEnd(byte[] raw, int from, int limit) {
        for (int i = from; i < limit; i++) {
            if (raw[i] == '\n') {
                return i + 1;
            }
        }
        return limit;
    }

    private static boolean startsWith(byte[] raw, int pos, String prefix) {
        if (pos + prefix.length() > raw.length) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (raw[pos + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
