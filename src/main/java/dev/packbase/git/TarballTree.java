package dev.packbase.git;

import dev.packbase.domain.TagManifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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

/**
 * Rebuilds a tag's Git tree from its stored tarball (plus the gitlinks its manifest recorded, which a
 * tarball cannot hold). This is how the pseudo-Git layer gets its objects: from the tarball set, never
 * from upstream. Going through JGit's DirCache gives Git's tree order (a directory sorts as if its
 * name ended in '/') without extra code; Git keeps no directories, so directory entries are dropped.
 */
public final class TarballTree {
    private TarballTree() {
    }

    /** Inserts blobs and trees into {@code inserter} and returns the root tree id. */
    public static ObjectId insert(InputStream tarGz, String topDirectory, List<TagManifest.Gitlink> gitlinks,
            ObjectInserter inserter) throws IOException {
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
                    e.setObjectId(inserter.insert(Constants.OBJ_BLOB, entry.getSize(), tar));
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
}
