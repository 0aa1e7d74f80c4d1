package dev.packbase.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Set;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.internal.storage.pack.PackWriter;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.storage.pack.PackConfig;
import org.junit.jupiter.api.Test;

/** The self-check's pack reader: it finds commits and trees, and rejects what is not a whole, sound pack. */
class PackStreamCheckTest {
    private final InMemoryRepository repo = new InMemoryRepository(new DfsRepositoryDescription("t"));
    private ObjectId tree;
    private ObjectId commit;

    private byte[] pack(boolean deltas) throws IOException {
        String text = "const value = 1;\n".repeat(400);
        try (ObjectInserter ins = repo.newObjectInserter()) {
            DirCache index = DirCache.newInCore();
            DirCacheBuilder b = index.builder();
            for (String path : new String[] {"a.zig", "dir/b.zig", "empty"}) {
                DirCacheEntry e = new DirCacheEntry(path);
                e.setFileMode(FileMode.REGULAR_FILE);
                String content = path.equals("empty") ? "" : text + path;
                e.setObjectId(ins.insert(org.eclipse.jgit.lib.Constants.OBJ_BLOB, content.getBytes(StandardCharsets.UTF_8)));
                b.add(e);
            }
            b.finish();
            tree = index.writeTree(ins);
            CommitBuilder c = new CommitBuilder();
            c.setTreeId(tree);
            PersonIdent who = new PersonIdent("a", "a@example.invalid", java.time.Instant.EPOCH, java.time.ZoneOffset.UTC);
            c.setAuthor(who);
            c.setCommitter(who);
            c.setMessage("m\n");
            commit = ins.insert(c);
            ins.flush();
        }
        PackConfig config = new PackConfig(repo);
        config.setThreads(1);
        config.setDeltaCompress(deltas);
        try (PackWriter w = new PackWriter(config, repo.newObjectReader())) {
            w.preparePack(NullProgressMonitor.INSTANCE, Set.of(commit), Set.of());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            w.writePack(NullProgressMonitor.INSTANCE, NullProgressMonitor.INSTANCE, out);
            return out.toByteArray();
        }
    }

    private static byte[] withTrailer(byte[] pack) throws Exception {
        byte[] copy = pack.clone();
        byte[] sum = MessageDigest.getInstance("SHA-1").digest(Arrays.copyOf(copy, copy.length - 20));
        System.arraycopy(sum, 0, copy, copy.length - 20, 20);
        return copy;
    }

    @Test
    void findsTheCommitAndItsTree() throws Exception {
        PackStreamCheck.Contents c = PackStreamCheck.read(pack(false)).orElseThrow();
        assertEquals(tree.name(), c.commitTrees().get(commit.name()));
        assertTrue(c.trees().contains(tree.name()));
        assertEquals(6, c.objects(), "a commit, two trees and three blobs (one empty)");
    }

    @Test
    void leavesPacksWithDeltasToPackParser() throws Exception {
        assertTrue(PackStreamCheck.read(pack(true)).isEmpty());
    }

    @Test
    void rejectsCorruptionTruncationAndTrailingBytes() throws Exception {
        byte[] good = pack(false);
        byte[] flipped = good.clone();
        flipped[20] ^= 0x20; // inside the commit's zlib data
        assertThrows(IOException.class, () -> PackStreamCheck.read(flipped), "checksum");
        assertThrows(IOException.class, () -> PackStreamCheck.read(withTrailer(flipped)), "zlib data or sizes");
        byte[] moreObjects = good.clone();
        moreObjects[11]++;
        assertThrows(IOException.class, () -> PackStreamCheck.read(withTrailer(moreObjects)), "count");
        byte[] fewerObjects = good.clone();
        fewerObjects[11]--;
        assertThrows(IOException.class, () -> PackStreamCheck.read(withTrailer(fewerObjects)), "trailing bytes");
        assertThrows(IOException.class, () -> PackStreamCheck.read(Arrays.copyOf(good, 40)), "short");
    }

    @Test
    void withoutBlobsItStopsAtTheFirstBlobButStillVerifiesTheChecksum() throws Exception {
        byte[] good = pack(false);
        byte[] brokenBlob = good.clone();
        brokenBlob[brokenBlob.length - 22] ^= 0x20; // inside the last blob's zlib data
        byte[] resealed = withTrailer(brokenBlob);
        assertThrows(IOException.class, () -> PackStreamCheck.read(resealed, true), "a full read inflates the blob");
        PackStreamCheck.Contents c = PackStreamCheck.read(resealed, false).orElseThrow();
        assertEquals(tree.name(), c.commitTrees().get(commit.name()));
        assertTrue(c.trees().contains(tree.name()));
        assertThrows(IOException.class, () -> PackStreamCheck.read(brokenBlob, false), "checksum still verified");
    }
}
