package dev.packbase.git;

import dev.packbase.domain.TagManifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;

/**
 * Rebuilds a tag's Git tree from its stored tarball (plus the gitlinks its manifest recorded, which a
 * tarball cannot hold). This is how the pseudo-Git layer gets its objects: from the tarball set, never
 * from upstream. Going through JGit's DirCache gives Git's tree order (a directory sorts as if its
 * name ended in '/') without extra code; Git keeps no directories, so directory entries are dropped.
 */
public final class TarballTree {
    private TarballTree() {
    }

    /** Files up to this size are read whole, so their id can be computed before deciding to insert. */
    private static final int PREHASH_LIMIT = 8 << 20;

    /**
     * Inserts blobs and trees into {@code inserter} and returns the root tree id. {@code existing}
     * reads the repository the inserter writes to: a file it already holds (unchanged since a tag built
     * before in the same scratch repository) is only hashed, with the JDK's SHA-1, which the CPU
     * accelerates, instead of JGit's collision-detecting one (the largest cost of building a tag's
     * packs). Collision detection is not lost where it matters: every one of these bytes came from
     * upstream objects that JGit's fetch hashed with detection on, and the rebuilt tree must still
     * come out as upstream's tree id.
     */
    public static ObjectId insert(InputStream tarGz, String topDirectory, List<TagManifest.Gitlink> gitlinks,
            ObjectInserter inserter, ObjectReader existing) throws IOException {
        MessageDigest sha1 = sha1();
        String prefix = topDirectory + "/";
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(tarGz, 1 << 16), "UTF-8")) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isDirectory() || entry.isGlobalPaxHeader()) {
                    continue;
                }
                if (!entry.getName().startsWith(prefix)) {
                    throw new IOException("tarball entry outside " + prefix + ": " + entry.getName());
                }
                String path = entry.getName().substring(prefix.length());
                DirCacheEntry e = new DirCacheEntry(path);
                if (entry.isSymbolicLink()) {
                    e.setFileMode(FileMode.SYMLINK);
                    e.setObjectId(inserter.insert(Constants.OBJ_BLOB, entry.getLinkName().getBytes(StandardCharsets.UTF_8)));
                } else if (entry.isFile()) {
                    e.setFileMode((entry.getMode() & 0100) != 0 ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE);
                    e.setObjectId(insertBlob(tar, entry.getSize(), inserter, existing, sha1));
                } else {
                    throw new IOException("unexpected tarball entry type for " + entry.getName());
                }
                builder.add(e);
            }
        }
        for (TagManifest.Gitlink link : gitlinks) {
            DirCacheEntry e = new DirCacheEntry(link.path());
            e.setFileMode(FileMode.GITLINK);
            e.setObjectId(ObjectId.fromString(link.commit()));
            builder.add(e);
        }
        builder.finish();
        return index.writeTree(inserter);
    }

    private static ObjectId insertBlob(InputStream in, long size, ObjectInserter inserter, ObjectReader existing,
            MessageDigest sha1) throws IOException {
        if (size > PREHASH_LIMIT) {
            return inserter.insert(Constants.OBJ_BLOB, size, in);
        }
        byte[] content = in.readNBytes((int) size);
        if (content.length != size) {
            throw new IOException("tarball ended inside a file");
        }
        sha1.reset();
        sha1.update(Constants.encodedTypeString(Constants.OBJ_BLOB));
        sha1.update((byte) ' ');
        sha1.update(Constants.encodeASCII(size));
        sha1.update((byte) 0);
        ObjectId id = ObjectId.fromRaw(sha1.digest(content));
        return existing.has(id) ? id : inserter.insert(Constants.OBJ_BLOB, content);
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }
}
