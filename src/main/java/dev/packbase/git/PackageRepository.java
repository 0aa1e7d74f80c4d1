package dev.packbase.git;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.internal.storage.dfs.DfsObjDatabase;
import org.eclipse.jgit.internal.storage.dfs.DfsOutputStream;
import org.eclipse.jgit.internal.storage.dfs.DfsPackDescription;
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
 */
final class PackageRepository extends DfsRepository {
    private final PackDirectory objects;
    private final StaticRefs refs;

    private PackageRepository(Builder builder) {
        super(builder);
        this.objects = new PackDirectory(this, builder.packDir, builder.packNames);
        this.refs = new StaticRefs(this, builder.tags, builder.headTag);
    }

    static PackageRepository open(String packageName, Path packDir, List<String> packNames,
            Map<String, ObjectId> tags, String headTag) throws IOException {
        Builder b = new Builder();
        // JGit's block cache is keyed by this name: it must be stable for a package across requests.
        b.setRepositoryDescription(new DfsRepositoryDescription("packbase/" + packageName));
        b.packDir = packDir;
        b.packNames = List.copyOf(packNames);
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
        private Path packDir;
        private List<String> packNames;
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

    /** The pack files of the package, listed once (they never change under a given name). */
    private static final class PackDirectory extends DfsObjDatabase {
        private final Path dir;
        private final List<String> packNames;

        PackDirectory(DfsRepository repo, Path dir, List<String> packNames) {
            super(repo, new DfsReaderOptions());
            this.dir = dir;
            this.packNames = packNames;
        }

        @Override
        protected List<DfsPackDescription> listPacks() throws IOException {
            List<DfsPackDescription> packs = new ArrayList<>();
            for (String name : packNames) {
                Path pack = dir.resolve(name + ".pack");
                Path idx = dir.resolve(name + ".idx");
                DfsPackDescription d = new DfsPackDescription(getRepository().getDescription(), name, PackSource.GC);
                d.addFileExt(PackExt.PACK);
                d.addFileExt(PackExt.INDEX);
                d.setFileSize(PackExt.PACK, Files.size(pack));
                d.setFileSize(PackExt.INDEX, Files.size(idx));
                d.setLastModified(Files.getLastModifiedTime(pack).toMillis());
                packs.add(d);
            }
            return packs;
        }

        @Override
        protected ReadableChannel openFile(DfsPackDescription desc, PackExt ext) throws IOException {
            Path file = dir.resolve(desc.getFileName(ext));
            try {
                return new FileReadableChannel(FileChannel.open(file, StandardOpenOption.READ));
            } catch (NoSuchFileException e) {
                throw new FileNotFoundException(file.toString());
            }
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

    /** A FileChannel as JGit's DFS channel. */
    private static final class FileReadableChannel implements ReadableChannel {
        private final FileChannel channel;

        FileReadableChannel(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return channel.read(dst);
        }

        @Override
        public long position() throws IOException {
            return channel.position();
        }

        @Override
        public void position(long newPosition) throws IOException {
            channel.position(newPosition);
        }

        @Override
        public long size() throws IOException {
            return channel.size();
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
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
