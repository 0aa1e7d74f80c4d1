package dev.packbase.ingest;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.TagManifest;
import dev.packbase.zig.ZigPackageHash;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Writes the deterministic tarball of one Git tree in the {@link DeterministicTar} format: one top-level
 * directory {@code <pkg>-<tag>/}, entries in Git tree order (the order {@code git archive} uses), files
 * 0644 or 0755 as Git records them, mtime = the commit time. The same tree and time give the same tar
 * bytes everywhere. (The
 * gzip bytes depend on the JVM's zlib; the stored .tar.gz is written once and never regenerated, and
 * determinism is checked on the uncompressed tar's sha256.)
 */
public final class TarballWriter {

    private final long maxTarballBytes;
    private final int maxFiles;

    public TarballWriter(long maxTarballBytes, int maxFiles) {
        this.maxTarballBytes = maxTarballBytes;
        this.maxFiles = maxFiles;
    }

    /** Digests and counts of one written tarball. */
    public record Result(long gzSize, String gzSha256, String gzMd5, String gzCrc32, long tarSize, String tarSha256,
            int fileCount, List<TagManifest.Gitlink> gitlinks, ZigPackageHash.Result zig) {
    }

    /**
     * Writes the tarball of {@code tree} to {@code out}.
     *
     * @throws PackbaseException limit_exceeded when the tree has too many files or the tarball grows
     *                           too large; bad_request-free: path problems are limit_exceeded too,
     *                           reported as a per-tag warning by the caller
     */
    public Result write(ObjectReader reader, ObjectId tree, String topDirectory, long commitTime, OutputStream out)
            throws IOException {
        // The Zig package hash is computed from the same bytes in the same pass (issue 4): Zig hashes
        // exactly the files it unpacks from this tarball.
        ZigPackageHash.Builder zig = ZigPackageHash.builder();
        DeterministicTar archive = new DeterministicTar(out, maxTarballBytes, commitTime);
        String top = topDirectory + "/";
        archive.directory(top);
        int files = 0;
        List<TagManifest.Gitlink> gitlinks = new ArrayList<>();
        try (TreeWalk walk = new TreeWalk(reader)) {
            walk.addTree(tree);
            walk.setRecursive(false);
            while (walk.next()) {
                byte[] rawPath = walk.getRawPath();
                String path = checkedPath(rawPath);
                int rawMode = walk.getRawMode(0);
                if (rawMode != 0100644 && rawMode != 0100755 && rawMode != 0120000 && rawMode != 040000
                        && rawMode != 0160000) {
                    // JGit would read e.g. 100664 as a regular file, but the tree id could then not be
                    // reproduced from the tarball, and Zig's git client rejects such trees (InvalidTree).
                    throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED, "unusual git file mode "
                            + Integer.toOctalString(rawMode) + " at '" + path + "'");
                }
                FileMode mode = walk.getFileMode(0);
                if (mode == FileMode.TREE) {
                    archive.directory(top + path + "/");
                    walk.enterSubtree();
                    continue;
                }
                if (mode == FileMode.GITLINK) {
                    gitlinks.add(new TagManifest.Gitlink(path, walk.getObjectId(0).name()));
                    continue;
                }
                if (++files > maxFiles) {
                    throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED,
                            "more than " + maxFiles + " files (PACKBASE_MAX_FILES)");
                }
                ObjectLoader blob = reader.open(walk.getObjectId(0), Constants.OBJ_BLOB);
                if (mode == FileMode.SYMLINK) {
                    String target = new String(blob.getCachedBytes(4096), StandardCharsets.UTF_8);
                    zig.symlink(path, target);
                    archive.symlink(top + path, target);
                } else if (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
                    try (InputStream in = blob.openStream(); OutputStream sink = zig.file(path)) {
                        archive.file(top + path, mode == FileMode.EXECUTABLE_FILE, blob.getSize(), in, sink);
                    }
                } else {
                    throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED,
                            "unsupported git file mode " + mode + " at '" + path + "'");
                }
            }
        }
        DeterministicTar.Digested d = archive.finish();
        return new Result(d.gzSize(), d.gzSha256(), d.gzMd5(), d.gzCrc32(), d.tarSize(), d.tarSha256(), files,
                gitlinks, zig.finish());
    }

    /**
     * Git trees may hold names a tarball must not: invalid UTF-8 (the name would change on decoding),
     * {@code .}/{@code ..} components, {@code .git} directories, control characters or backslashes.
     * Such a tag is rejected as a whole rather than served with files silently missing.
     */
    static String checkedPath(byte[] raw) {
        String path = new String(raw, StandardCharsets.UTF_8);
        if (!Arrays.equals(path.getBytes(StandardCharsets.UTF_8), raw)) {
            throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED, "path is not valid UTF-8: '" + path + "'");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                    || segment.toLowerCase(Locale.ROOT).equals(".git")) {
                throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED, "unsafe path '" + path + "'");
            }
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                throw new PackbaseException(ErrorCode.LIMIT_EXCEEDED,
                        "path with a control character or backslash: '" + path.replaceAll("\\p{Cntrl}", "?") + "'");
            }
        }
        return path;
    }
}
