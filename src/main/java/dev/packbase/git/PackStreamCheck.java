package dev.packbase.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a pack stream as the self-check needs it: every entry's header and zlib data (each object
 * must inflate to exactly its declared size), the trailer checksum, and the ids of commits and
 * trees, so the fetched commit and its tree can be found. Blobs are inflated but not hashed: the
 * check never compared blob ids either, and hashing them with JGit's collision-detecting SHA-1 in
 * {@code PackParser} would dominate the self-check's CPU; the blobs' bytes come from the checked tarball.
 * Packs with deltas are not read here (empty result): the caller falls back to PackParser.
 */
final class PackStreamCheck {
    private static final int OBJ_COMMIT = 1;
    private static final int OBJ_TREE = 2;
    private static final int OBJ_BLOB = 3;
    private static final int OBJ_TAG = 4;
    private static final String[] TYPE_NAMES = {null, "commit", "tree", "blob", "tag"};

    /** What a whole-object pack holds: the tree line of each commit, and the set of tree ids. */
    record Contents(java.util.Map<String, String> commitTrees, Set<String> trees, int objects) {
    }

    private PackStreamCheck() {
    }

    /**
     * @return the pack's commits and trees, or empty if it holds a delta (read it with PackParser)
     * @throws IOException if it is not a well-formed pack
     */
    static Optional<Contents> read(byte[] pack) throws IOException {
        return read(pack, pack.length, true);
    }

    /**
     * Like {@link #read(byte[])}; without {@code blobs} it stops at the first blob (JGit writes
     * commits and trees before blobs), after the checksum over the whole stream has been verified.
     * For a pack whose blob bytes another read already inflated: see {@link FetchabilityCheck}.
     */
    static Optional<Contents> read(byte[] pack, boolean blobs) throws IOException {
        return read(pack, pack.length, blobs);
    }

    /** Like {@link #read(byte[], boolean)}, for a pack that is the first {@code length} bytes of {@code pack}. */
    static Optional<Contents> read(byte[] pack, int length, boolean blobs) throws IOException {
        if (length < 32 || length > pack.length || pack[0] != 'P' || pack[1] != 'A' || pack[2] != 'C' || pack[3] != 'K') {
            throw new IOException("not a pack stream (" + length + " bytes)");
        }
        int version = readInt(pack, 4);
        if (version != 2 && version != 3) {
            throw new IOException("unsupported pack version " + version);
        }
        MessageDigest sha1 = sha1();
        sha1.update(pack, 0, length - 20);
        if (!Arrays.equals(sha1.digest(), Arrays.copyOfRange(pack, length - 20, length))) {
            throw new IOException("pack trailer checksum does not match");
        }
        long count = Integer.toUnsignedLong(readInt(pack, 8));
        int end = length - 20;
        int pos = 12;
        java.util.Map<String, String> commitTrees = new java.util.HashMap<>();
        Set<String> trees = new HashSet<>();
        Inflater inflater = new Inflater();
        byte[] scratch = new byte[1 << 16];
        byte[] probe = new byte[1];
        try {
            for (long i = 0; i < count; i++) {
                if (pos >= end) {
                    throw new IOException("pack ends after " + i + " of " + count + " objects");
                }
                int c = pack[pos++] & 0xff;
                int type = (c >> 4) & 7;
                long size = c & 0x0f;
                int shift = 4;
                while ((c & 0x80) != 0) {
                    if (pos >= end || shift > 56) {
                        throw new IOException("bad object header at object " + i);
                    }
                    c = pack[pos++] & 0xff;
                    size |= (long) (c & 0x7f) << shift;
                    shift += 7;
                }
                if (type < OBJ_COMMIT || type > OBJ_TAG) {
                    return Optional.empty(); // OFS_DELTA, REF_DELTA (or garbage, which PackParser reports)
                }
                if (!blobs && type == OBJ_BLOB) {
                    return Optional.of(new Contents(commitTrees, trees, (int) count));
                }
                if (size > Integer.MAX_VALUE - 64) {
                    throw new IOException("object " + i + " too large to check: " + size);
                }
                boolean keep = type == OBJ_COMMIT || type == OBJ_TREE;
                byte[] data = keep ? new byte[(int) size] : null;
                inflater.reset();
                inflater.setInput(pack, pos, end - pos);
                long inflated = 0;
                while (!inflater.finished()) {
                    int n;
                    if (keep && inflated < size) {
                        n = inflater.inflate(data, (int) inflated, (int) (size - inflated));
                    } else if (keep) {
                        n = inflater.inflate(probe); // all bytes are in: only the end of the stream may follow
                    } else {
                        n = inflater.inflate(scratch);
                    }
                    if (n == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
                        throw new IOException("truncated zlib data in object " + i);
                    }
                    inflated += n;
                    if (inflated > size) {
                        throw new IOException("object " + i + " inflates to more than its " + size + " bytes");
                    }
                }
                if (inflated != size) {
                    throw new IOException("object " + i + " inflates to " + inflated + " bytes, its header says " + size);
                }
                pos += (int) inflater.getBytesRead();
                if (keep) {
                    String id = id(sha1, type, data);
                    if (type == OBJ_TREE) {
                        trees.add(id);
                    } else {
                        commitTrees.put(id, treeOf(data));
                    }
                }
            }
        } catch (DataFormatException e) {
            throw new IOException("bad zlib data: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
        if (pos != end) {
            throw new IOException((end - pos) + " bytes after the last object");
        }
        return Optional.of(new Contents(commitTrees, trees, (int) count));
    }

    private static String id(MessageDigest sha1, int type, byte[] data) {
        sha1.reset();
        sha1.update((TYPE_NAMES[type] + " " + data.length + "\0").getBytes(StandardCharsets.US_ASCII));
        sha1.update(data);
        return HexFormat.of().formatHex(sha1.digest());
    }

    /** The id on a commit's first line, {@code tree <40 hex>}. */
    private static String treeOf(byte[] commit) throws IOException {
        if (commit.length < 46 || !new String(commit, 0, 5, StandardCharsets.US_ASCII).equals("tree ") || commit[45] != '\n') {
            throw new IOException("commit without a tree line");
        }
        return new String(commit, 5, 40, StandardCharsets.US_ASCII);
    }

    private static int readInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-1", e);
        }
    }
}
