package dev.packbase.git;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.Deflater;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.internal.storage.file.PackBitmapIndexWriterV1;
import org.eclipse.jgit.internal.storage.pack.DeltaIndex;
import org.eclipse.jgit.internal.storage.pack.PackWriter;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.pack.PackConfig;
import org.eclipse.jgit.transport.PackParser;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Builds a package's history pack: every object of every served tag exactly once, each tree and
 * blob stored as a delta against the object at the same path in the next newer tag where that pays,
 * with a bitmap index. A full clone wants every tag, so JGit finds through the bitmap that this pack
 * is exactly what is needed and streams it as it is (a "cached pack"); shallow fetches keep reusing
 * the whole objects of the per-tag packs (see {@link PackageRepository} for the order that makes
 * JGit choose so).
 *
 * <p>Deltas are chosen by path, not by JGit's delta search. The search slid a window of 10 over
 * objects sorted by path hash and size, and built a {@code DeltaIndex} per candidate: for per-tag
 * packs that was ~3,000 attempts per pack (two packs per tag), between files of different paths
 * that hardly ever delta'd, at a high CPU cost. Here each changed object gets one attempt,
 * against the same path one release later, which is where a release's near copy is. Newest objects
 * stay whole and older ones point forward, as git does, so the latest tag reads without delta
 * chains and chains grow only into the past (capped at git's default depth of 50).
 *
 * <p>The result depends only on the objects and the order of the tags: no threads, no clocks,
 * no sizes of caches. Packs are written twice: a raw pack of the chosen representations, parsed by
 * JGit's PackParser (which recomputes every object id, so a wrong delta cannot get through), then
 * rewritten by PackWriter reusing every representation as it is, which also gives the index and
 * the bitmaps.
 */
final class HistoryPack implements AutoCloseable {
    /** git's default {@code pack.depth}: longer chains cost readers more than they save. */
    static final int MAX_CHAIN = 50;
    /** Objects larger than this are stored whole: a delta index of the base would cost as much again. */
    static final int MAX_DELTA_SOURCE = 16 << 20;

    private final InMemoryRepository scratch;
    private final PackWriter writer;
    private final String name;
    private final int objects;
    private final int deltas;

    private HistoryPack(InMemoryRepository scratch, PackWriter writer, String name, int objects, int deltas) {
        this.scratch = scratch;
        this.writer = writer;
        this.name = name;
        this.objects = objects;
        this.deltas = deltas;
    }

    /**
     * Prepares the history pack of the given commits, oldest release first, reading objects from
     * {@code source} (the per-tag packs). Returns null for fewer than two distinct commits: one tag's
     * own pack is already its history.
     */
    static HistoryPack prepare(ObjectReader source, List<ObjectId> oldestFirst) throws IOException {
        List<ObjectId> commits = new ArrayList<>(new LinkedHashSet<>(oldestFirst));
        if (commits.size() < 2) {
            return null;
        }
        RawPack raw = new RawPack();
        Map<ObjectId, Integer> depth = new HashMap<>();
        Map<String, Entry> newer = Map.of();
        try (RevWalk walk = new RevWalk(source)) {
            for (int i = commits.size() - 1; i >= 0; i--) {
                RevCommit commit = walk.parseCommit(commits.get(i));
                if (depth.putIfAbsent(commit, 0) == null) {
                    raw.whole(Constants.OBJ_COMMIT, source.open(commit).getCachedBytes(Integer.MAX_VALUE));
                }
                Map<String, Entry> current = flatten(source, commit.getTree());
                for (Map.Entry<String, Entry> e : current.entrySet()) {
                    Entry obj = e.getValue();
                    if (depth.containsKey(obj.id())) {
                        continue;
                    }
                    Entry base = newer.get(e.getKey());
                    byte[] data = source.open(obj.id(), obj.type()).getCachedBytes(Integer.MAX_VALUE);
                    byte[] delta = null;
                    if (base != null && base.type() == obj.type() && depth.get(base.id()) < MAX_CHAIN
                            && data.length <= MAX_DELTA_SOURCE
                            && source.getObjectSize(base.id(), base.type()) <= MAX_DELTA_SOURCE) {
                        delta = delta(source.open(base.id(), base.type()).getCachedBytes(MAX_DELTA_SOURCE), data);
                    }
                    if (delta != null) {
                        raw.delta(base.id(), delta);
                        depth.put(obj.id(), depth.get(base.id()) + 1);
                    } else {
                        raw.whole(obj.type(), data);
                        depth.put(obj.id(), 0);
                    }
                }
                newer = current;
            }
        }

        InMemoryRepository scratch = new InMemoryRepository(new DfsRepositoryDescription("history"));
        try (ObjectInserter ins = scratch.newObjectInserter()) {
            PackParser parser = ins.newPackParser(new ByteArrayInputStream(raw.finish()));
            parser.setAllowThin(false);
            parser.parse(NullProgressMonitor.INSTANCE);
            ins.flush();
        }
        PackConfig config = new PackConfig(scratch);
        config.setThreads(1);
        config.setDeltaCompress(false); // every delta was chosen above; PackWriter only copies
        config.setReuseDeltas(true);
        config.setReuseObjects(true);
        config.setBuildBitmaps(true);
        PackWriter writer = new PackWriter(config, scratch.newObjectReader());
        try {
            writer.setDeltaBaseAsOffset(true);
            writer.setReuseDeltaCommits(true);
            writer.preparePack(NullProgressMonitor.INSTANCE, new LinkedHashSet<>(commits), Set.of());
            return new HistoryPack(scratch, writer, "pack-" + writer.computeName().name(), raw.count, raw.deltas);
        } catch (IOException | RuntimeException e) {
            writer.close();
            scratch.close();
            throw e;
        }
    }

    /** {@code pack-<SHA-1 of the sorted object ids>}, like the per-tag packs. */
    String name() {
        return name;
    }

    int deltas() {
        return deltas;
    }

    int objects() {
        return objects;
    }

    /** Writes the pack; then {@link #writeIndex} and {@link #writeBitmaps}, in this order. */
    void writePack(OutputStream out) throws IOException {
        writer.writePack(NullProgressMonitor.INSTANCE, NullProgressMonitor.INSTANCE, out);
    }

    void writeIndex(OutputStream out) throws IOException {
        writer.writeIndex(out);
    }

    void writeBitmaps(OutputStream out) throws IOException {
        if (!writer.prepareBitmapIndex(NullProgressMonitor.INSTANCE)) {
            throw new IOException("JGit built no bitmaps for the history pack");
        }
        writer.writeBitmapIndex(new PackBitmapIndexWriterV1(out));
    }

    @Override
    public void close() {
        writer.close();
        scratch.close();
    }

    /** A tree entry's object and type. */
    private record Entry(ObjectId id, int type) {
    }

    /**
     * Every tree and blob of a tree by path ("" for the root), in walk order. Paths are kept as raw
     * bytes (one char per byte) so that names which are not UTF-8 still match across tags.
     */
    private static Map<String, Entry> flatten(ObjectReader reader, ObjectId tree) throws IOException {
        Map<String, Entry> objects = new LinkedHashMap<>();
        objects.put("", new Entry(tree.copy(), Constants.OBJ_TREE));
        try (TreeWalk walk = new TreeWalk(reader)) {
            walk.addTree(tree);
            walk.setRecursive(false);
            while (walk.next()) {
                FileMode mode = walk.getFileMode(0);
                if (mode == FileMode.GITLINK) {
                    continue; // a submodule's commit is not an object of this repository
                }
                String path = new String(walk.getRawPath(), StandardCharsets.ISO_8859_1);
                objects.put(path, new Entry(walk.getObjectId(0), walk.isSubtree() ? Constants.OBJ_TREE : Constants.OBJ_BLOB));
                if (walk.isSubtree()) {
                    walk.enterSubtree();
                }
            }
        }
        return objects;
    }

    /**
     * The delta that turns {@code base} into {@code target}, or null where it would not pay: git's
     * own bound (half the object, less the delta's header cost) keeps deltas that are hardly
     * smaller than the deflated object from costing their reader more than they save.
     */
    private static byte[] delta(byte[] base, byte[] target) throws IOException {
        int limit = target.length / 2 - 20;
        if (limit <= 0 || base.length == 0) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 1 << 16));
        return new DeltaIndex(base).encode(out, target, limit) ? out.toByteArray() : null;
    }

    /**
     * A pack file written by hand: whole entries and REF_DELTA entries. JGit has no public way to
     * store a delta it did not search for itself; PackParser reads this and checks every id.
     */
    private static final class RawPack {
        private static final int OBJ_REF_DELTA = 7;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
        private final byte[] buffer = new byte[8192];
        private int count;
        private int deltas;

        void whole(int type, byte[] data) {
            header(type, data.length);
            deflate(data);
        }

        void delta(ObjectId base, byte[] delta) {
            header(OBJ_REF_DELTA, delta.length);
            byte[] id = new byte[Constants.OBJECT_ID_LENGTH];
            base.copyRawTo(id, 0);
            body.writeBytes(id);
            deflate(delta);
            deltas++;
        }

        private void header(int type, long size) {
            int b = (type << 4) | (int) (size & 0x0f);
            size >>>= 4;
            while (size != 0) {
                body.write(b | 0x80);
                b = (int) (size & 0x7f);
                size >>>= 7;
            }
            body.write(b);
            count++;
        }

        private void deflate(byte[] data) {
            deflater.reset();
            deflater.setInput(data);
            deflater.finish();
            while (!deflater.finished()) {
                body.write(buffer, 0, deflater.deflate(buffer));
            }
        }

        byte[] finish() throws IOException {
            deflater.end();
            ByteArrayOutputStream pack = new ByteArrayOutputStream(body.size() + 32);
            pack.writeBytes(new byte[] {'P', 'A', 'C', 'K', 0, 0, 0, 2,
                    (byte) (count >>> 24), (byte) (count >>> 16), (byte) (count >>> 8), (byte) count});
            body.writeTo(pack);
            MessageDigest sha1 = Constants.newMessageDigest();
            byte[] bytes = pack.toByteArray();
            sha1.update(bytes);
            pack.writeBytes(sha1.digest());
            return pack.toByteArray();
        }
    }
}
