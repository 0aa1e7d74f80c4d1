package dev.packbase.git;

import dev.packbase.storage.Storage;
import dev.packbase.storage.StoredObject;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.internal.storage.dfs.DfsObjDatabase;
import org.eclipse.jgit.internal.storage.dfs.DfsOutputStream;
import org.eclipse.jgit.internal.storage.dfs.DfsPackDescription;
import org.eclipse.jgit.internal.storage.dfs.DfsPackFile;
import org.eclipse.jgit.internal.storage.dfs.DfsReaderOptions;
import org.eclipse.jgit.internal.storage.dfs.DfsRefDatabase;
import org.eclipse.jgit.internal.storage.dfs.DfsRepository;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryBuilder;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.ReadableChannel;
import org.eclipse.jgit.internal.storage.pack.PackExt;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectIdRef;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.SymbolicRef;
import org.eclipse.jgit.util.RefList;

/**
 * A read-only JGit repository over one package's derived packs: objects come from the pack files
 * written at ingest, refs from the registry's state ({@code refs/tags/<tag>} → the tag's served
 * commit, {@code HEAD} → the latest tag). Nothing here writes, and no Git command ever runs: this is
 * what "the Git layer is derived from the tarballs" means at request time. One instance is shared by
 * all requests for a package until its state changes.
 *
 * <p>With a history pack (see {@link HistoryPack}) every object is in two packs, and the order in
 * which JGit consults them decides what a client gets:
 * <ul>
 * <li>A full clone (no depth) counts objects with the history pack's bitmaps, finds that it needs
 * the whole pack, and streams it as it is ({@code DfsReader.getCachedPacksAndUpdate}, which takes
 * the first pack of {@link DfsObjDatabase#getPacks()} with a bitmap).</li>
 * <li>A fetch by depth of served commits is answered from a view: a second instance over just the
 * wanted tags' per-tag packs, without the history pack (see {@code GitService.upload}), so the
 * choice below does not arise there.</li>
 * <li>Every other fetch picks a representation per object ({@code DfsReader.selectObjectRepresentation}
 * walks {@code getPacks()} and {@code PackWriter.select} keeps the last usable one). A delta whose
 * base is not being sent is not usable, and JGit then drops the object's reuse altogether, so it
 * would inflate and deflate it. {@code getPacks()} therefore lists the history pack first and the
 * per-tag packs after it: their whole objects always win, as before history packs existed.</li>
 * <li>Object reads (negotiation, a tree walk) search the pack list in lookup
 * order, which puts the per-tag packs first: their objects are whole, never delta chains.</li>
 * </ul>
 * All packs get non-GC sources: JGit re-sorts {@code getPacks()} for reuse by size among packs of
 * one GC source, which would undo this order.
 */
final class PackageRepository extends DfsRepository {
    private final PackDirectory objects;
    private final StaticRefs refs;

    private PackageRepository(Builder builder) {
        super(builder);
        this.objects = new PackDirectory(this, builder.storage, builder.packPrefix, builder.packNames, builder.history);
        this.refs = new StaticRefs(this, builder.tags, builder.headTag);
    }

    /**
     * @param packPrefix where the per-tag packs are ({@code <prefix><name>.pack} and {@code .idx})
     * @param history    the history pack's key without extension (it has .pack, .idx and .bitmap), or null
     */
    static PackageRepository open(String packageName, Storage storage, String packPrefix, List<String> packNames,
            String history, Map<String, ObjectId> tags, String headTag) throws IOException {
        Builder b = new Builder();
        // JGit's block cache is keyed by this name: it must be stable for a package across requests.
        b.setRepositoryDescription(new DfsRepositoryDescription("packbase/" + packageName));
        b.storage = storage;
        b.packPrefix = packPrefix;
        b.packNames = List.copyOf(packNames);
        b.history = history;
        b.tags = Map.copyOf(tags);
        b.headTag = headTag;
        return b.build();
    }

    @Override
    public DfsObjDatabase getObjectDatabase() {
        return objects;
    }

    @Override
    public DfsRefDatabase getRefDatabase() {
        return refs;
    }

    static final class Builder extends DfsRepositoryBuilder<Builder, PackageRepository> {
        private Storage storage;
        private String packPrefix;
        private List<String> packNames;
        private String history;
        private Map<String, ObjectId> tags;
        private String headTag;

        @Override
        public Builder setup() {
            return self(); // no git directory: objects and refs come from packbase's own state
        }

        @Override
        public PackageRepository build() throws IOException {
            return new PackageRepository(setup());
        }
    }

    /** The pack files of the package, listed once (they never change under a given name), read from storage. */
    private static final class PackDirectory extends DfsObjDatabase {
        /** Description name prefix of the history pack: its file name may equal a per-tag pack's. */
        private static final String HISTORY = "history-";
        private final Storage storage;
        private final String prefix;
        private final List<String> packNames;
        private final String history;

        PackDirectory(DfsRepository repo, Storage storage, String prefix, List<String> packNames, String history) {
            super(repo, new DfsReaderOptions());
            this.storage = storage;
            this.prefix = prefix;
            this.packNames = packNames;
            this.history = history;
            // Lookup order: per-tag packs first (whole objects), by name so that it is the same every time.
            setPackComparator(Comparator.comparing((DfsPackDescription d) -> d.getPackName().startsWith(HISTORY))
                    .thenComparing(DfsPackDescription::getPackName));
        }

        /** Representation order: the history pack first, so the per-tag packs' whole objects win (see above). */
        @Override
        public DfsPackFile[] getPacks() throws IOException {
            DfsPackFile[] lookup = super.getPacks();
            DfsPackFile[] packs = new DfsPackFile[lookup.length];
            int i = 0;
            for (DfsPackFile p : lookup) {
                if (p.getPackDescription().getPackName().startsWith(HISTORY)) {
                    packs[i++] = p;
                }
            }
            for (DfsPackFile p : lookup) {
                if (!p.getPackDescription().getPackName().startsWith(HISTORY)) {
                    packs[i++] = p;
                }
            }
            return packs;
        }

        @Override
        protected List<DfsPackDescription> listPacks() throws IOException {
            List<DfsPackDescription> packs = new ArrayList<>();
            for (String name : packNames) {
                packs.add(describe(name, prefix + name, PackSource.INSERT, PackExt.PACK, PackExt.INDEX));
            }
            if (history != null) {
                DfsPackDescription d = describe(HISTORY + history.substring(history.lastIndexOf('/') + 1), history,
                        PackSource.COMPACT, PackExt.PACK, PackExt.INDEX, PackExt.BITMAP_INDEX);
                // A pack sent whole counts its objects from here in the header of the pack sent to the
                // client; left at 0, clients read the history's objects as trailing garbage.
                d.setObjectCount(objectCount(key(history, PackExt.PACK)));
                packs.add(d);
            }
            return packs;
        }

        /** The object count in a pack file's header ("PACK", version, count). */
        private long objectCount(String pack) throws IOException {
            try (StoredObject object = stored(pack)) {
                ByteBuffer header = ByteBuffer.allocate(12);
                while (header.hasRemaining() && object.read(header, header.position()) >= 0) {
                    // read the whole header
                }
                if (header.hasRemaining() || header.getInt(0) != 0x5041434b) {
                    throw new IOException("not a pack file: " + pack);
                }
                return Integer.toUnsignedLong(header.getInt(8));
            }
        }

        private DfsPackDescription describe(String name, String base, PackSource source, PackExt... exts) throws IOException {
            DfsPackDescription d = new DfsPackDescription(getRepository().getDescription(), name, source);
            for (PackExt ext : exts) {
                Storage.ObjectInfo info = storage.stat(key(base, ext)).orElseThrow(() -> new FileNotFoundException(key(base, ext)));
                d.addFileExt(ext);
                d.setFileSize(ext, info.size());
                if (ext == PackExt.PACK) {
                    d.setLastModified(info.lastModifiedMillis());
                }
            }
            return d;
        }

        private static String key(String base, PackExt ext) {
            return base + "." + ext.getExtension();
        }

        private StoredObject stored(String key) throws IOException {
            return storage.read(key).orElseThrow(() -> new FileNotFoundException(key));
        }

        @Override
        protected ReadableChannel openFile(DfsPackDescription desc, PackExt ext) throws IOException {
            String name = desc.getPackName();
            return new StoredChannel(stored(name.startsWith(HISTORY) ? key(history, ext) : key(prefix + name, ext)));
        }

        @Override
        protected DfsPackDescription newPack(PackSource source) {
            throw new UnsupportedOperationException("packbase Git repositories are read-only");
        }

        @Override
        protected void commitPackImpl(Collection<DfsPackDescription> desc, Collection<DfsPackDescription> replaces) {
            throw new UnsupportedOperationException("packbase Git repositories are read-only");
        }

        @Override
        protected void rollbackPack(Collection<DfsPackDescription> desc) {
            // nothing was ever written
        }

        @Override
        protected DfsOutputStream writeFile(DfsPackDescription desc, PackExt ext) {
            throw new UnsupportedOperationException("packbase Git repositories are read-only");
        }

        @Override
        public long getApproximateObjectCount() {
            return -1;
        }
    }

    /** Refs from the registry state; updates are refused (JGit's peel cache simply stays empty). */
    private static final class StaticRefs extends DfsRefDatabase {
        private final Map<String, ObjectId> tags;
        private final String headTag;

        StaticRefs(DfsRepository repo, Map<String, ObjectId> tags, String headTag) {
            super(repo);
            this.tags = tags;
            this.headTag = headTag;
        }

        @Override
        protected RefCache scanAllRefs() {
            RefList.Builder<Ref> all = new RefList.Builder<>();
            RefList.Builder<Ref> symbolic = new RefList.Builder<>();
            tags.forEach((tag, id) -> all.add(new ObjectIdRef.PeeledNonTag(Ref.Storage.PACKED, "refs/tags/" + tag, id)));
            if (headTag != null && tags.containsKey(headTag)) {
                Ref target = new ObjectIdRef.PeeledNonTag(Ref.Storage.PACKED, "refs/tags/" + headTag, tags.get(headTag));
                Ref head = new SymbolicRef("HEAD", target);
                all.add(head);
                symbolic.add(head);
            }
            all.sort();
            symbolic.sort();
            return new RefCache(all.toRefList(), symbolic.toRefList());
        }

        @Override
        protected boolean compareAndPut(Ref oldRef, Ref newRef) {
            return false;
        }

        @Override
        protected boolean compareAndRemove(Ref oldRef) {
            return false;
        }

        @Override
        public org.eclipse.jgit.lib.ReflogReader getReflogReader(Ref ref) {
            return null; // no reflogs: refs only ever come from the registry state
        }
    }

    /**
     * A stored pack file as JGit's DFS channel. Reads are positional ({@code pread} on the file backend) and the
     * position is a field: JGit sets the position before every block it reads, and FileChannel's own position
     * calls are system calls under a lock (they showed up in ingest profiles, through the self-check).
     */
    private static final class StoredChannel implements ReadableChannel {
        private final StoredObject object;
        private long position;
        private boolean open = true;

        StoredChannel(StoredObject object) {
            this.object = object;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n = object.read(dst, position);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void position(long newPosition) {
            position = newPosition;
        }

        @Override
        public long size() {
            return object.size();
        }

        @Override
        public int blockSize() {
            return 0;
        }

        @Override
        public void setReadAheadBytes(int bufferSize) {
            // the OS page cache reads ahead for us
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() throws IOException {
            open = false;
            object.close();
        }
    }
}
