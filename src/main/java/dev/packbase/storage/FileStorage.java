package dev.packbase.storage;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * {@link Storage} on a local (or shared, mounted) directory. Writes go to a temporary file under
 * {@code .packbase/tmp/} on the same filesystem, are fsynced, and are then published in one step:
 * a hard link for create-if-absent (link(2) fails if the name exists, so two writers cannot both
 * win) and a rename for replace. A crash therefore leaves at most a stray temporary file, which the
 * next start removes, never a partial object.
 */
public final class FileStorage implements Storage {
    private static final Logger LOG = Logger.getLogger(FileStorage.class.getName());

    private final Path root;
    private final Path tmp;
    private final boolean writable;
    private final Object[] conditionalLocks = new Object[64];

    private FileStorage(Path root, boolean writable) {
        this.root = root;
        this.tmp = root.resolve(StorageKeys.TMP_DIR);
        this.writable = writable;
        java.util.Arrays.setAll(conditionalLocks, i -> new Object());
    }

    /**
     * Opens a root directory, creating it when possible. A root that exists but cannot be written is
     * opened read-only (an edge node on a read-only mount), as is any root when {@code readOnly} is
     * asked for; a read-only open writes nothing at all. A root that can be neither found nor created
     * is a startup failure.
     */
    public static FileStorage open(Path root, boolean readOnly) {
        Path absolute = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute)) {
            if (readOnly) {
                throw new PackbaseException(ErrorCode.INTERNAL_ERROR,
                        "root directory " + absolute + " does not exist (a read-only node never creates it)");
            }
            try {
                Files.createDirectories(absolute);
            } catch (IOException e) {
                throw new PackbaseException(ErrorCode.INTERNAL_ERROR,
                        "cannot create root directory " + absolute + ": " + e, e);
            }
        }
        boolean writable = !readOnly && probeWritable(absolute);
        FileStorage storage = new FileStorage(absolute, writable);
        if (writable) {
            storage.clearTemporaryFiles();
        }
        return storage;
    }

    public static FileStorage open(Path root) {
        return open(root, false);
    }

    private static boolean probeWritable(Path root) {
        if (!Files.isWritable(root)) {
            return false;
        }
        try {
            Path probe = Files.createTempFile(root, ".packbase-probe-", ".tmp");
            Files.delete(probe);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void clearTemporaryFiles() {
        if (!Files.isDirectory(tmp)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(tmp)) {
            List<Path> paths = walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
            for (Path p : paths) {
                if (!p.equals(tmp)) {
                    Files.deleteIfExists(p);
                }
            }
            if (paths.size() > 1) {
                LOG.info(() -> "removed " + (paths.size() - 1) + " leftover temporary files under " + tmp);
            }
        } catch (IOException e) {
            LOG.warning(() -> "could not clear " + tmp + ": " + e);
        }
    }

    /** The root directory: for the composition root only (fixture repositories, operator tools). */
    public Path root() {
        return root;
    }

    /** A fresh, empty scratch directory under the root's temporary area (same filesystem). */
    public Path newScratchDirectory(String purpose) throws IOException {
        requireWritable();
        Files.createDirectories(tmp);
        return Files.createTempDirectory(tmp, purpose + "-");
    }

    @Override
    public boolean createIfAbsent(String key, ContentWriter writer) throws IOException {
        Path target = path(key);
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Path temp = writeTemporary(writer);
        try {
            Files.createDirectories(target.getParent());
            try {
                Files.createLink(target, temp);
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException | IOException e) {
                // Filesystems without hard links: a no-replace move; the existence check above and the
                // per-package ingest lock keep this safe within one writer node.
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException unsupported) {
                    Files.move(temp, target);
                }
            }
            syncDirectory(target.getParent());
            return true;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public void replace(String key, ContentWriter writer) throws IOException {
        Path target = path(key);
        Path temp = writeTemporary(writer);
        try {
            Files.createDirectories(target.getParent());
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * The version is the sha256 of the bytes. The compare and the rename happen under a lock of this
     * process: a root has one writing process (edges mount it read-only), so that is the whole race.
     */
    @Override
    public boolean replaceIf(String key, String version, ContentWriter writer) throws IOException {
        Path target = path(key);
        Path temp = writeTemporary(writer);
        try {
            synchronized (conditionalLocks[Math.floorMod(key.hashCode(), conditionalLocks.length)]) {
                Optional<Versioned> current = readVersioned(key);
                if (current.isEmpty() ? version != null : !current.get().version().equals(version)) {
                    return false;
                }
                Files.createDirectories(target.getParent());
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                syncDirectory(target.getParent());
                return true;
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Optional<Versioned> readVersioned(String key) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path(key));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(new Versioned(bytes, sha256(bytes)));
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path writeTemporary(ContentWriter writer) throws IOException {
        requireWritable();
        Files.createDirectories(tmp);
        Path temp = tmp.resolve("obj-" + UUID.randomUUID() + ".tmp");
        boolean done = false;
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            writer.writeTo(new NonClosingOutputStream(out));
            out.flush();
            channel.force(true);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
        return temp;
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can fsync a directory; the rename itself is still atomic.
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        return regularFile(path(key)).map(a -> new ObjectInfo(key, a.size(), a.lastModifiedTime().toMillis()));
    }

    /** The attributes of a regular file (links not followed); empty for anything else or nothing. */
    private static Optional<BasicFileAttributes> regularFile(Path p) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? Optional.of(a) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * One stat (the same as {@link #stat}): the handle has the size and time at once, and opens the
     * file only when its bytes are read, so a container's sendfile of the file costs no more.
     */
    @Override
    public Optional<StoredObject> read(String key) throws IOException {
        Path p = path(key);
        return regularFile(p).<StoredObject>map(a -> new FileObject(key, p, a.size(), a.lastModifiedTime().toMillis()));
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(path(key), StandardOpenOption.READ);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("list prefix must end with '/': " + prefix);
        }
        Path dir = path(prefix.substring(0, prefix.length() - 1));
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).forEach(p -> keys.add(root.relativize(p).toString().replace('\\', '/')));
        }
        keys.sort(null);
        return keys;
    }

    /** One directory read, no stat per entry: the startup check lists every package's pack directories. */
    @Override
    public List<String> names(String prefix) throws IOException {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("names prefix must end with '/': " + prefix);
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(path(prefix.substring(0, prefix.length() - 1)))) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
            return List.of();
        }
        names.sort(null);
        return names;
    }

    @Override
    public boolean delete(String key) throws IOException {
        requireWritable();
        return Files.deleteIfExists(path(key));
    }

    /** The objects, and the directories that held them, so that a rebuilt prefix starts from nothing. */
    @Override
    public int deleteAll(String prefix) throws IOException {
        requireWritable();
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("deleteAll prefix must end with '/': " + prefix);
        }
        Path dir = path(prefix.substring(0, prefix.length() - 1));
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int files = 0;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                files += Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? 1 : 0;
                Files.delete(p);
            }
        }
        syncDirectory(dir.getParent());
        return files;
    }

    @Override
    public boolean writable() {
        return writable;
    }

    @Override
    public String describe() {
        return root + (writable ? "" : " (read-only)");
    }

    private void requireWritable() {
        if (!writable) {
            throw new PackbaseException(ErrorCode.READ_ONLY, "this packbase node serves a read-only root (" + root + ")");
        }
    }

    private Path path(String key) {
        Path p = root.resolve(StorageKeys.checked(key)).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("storage key escapes the root: " + key);
        }
        return p;
    }

    /**
     * A file as a {@link StoredObject}: positional reads ({@code pread}) and transfers on one channel,
     * opened on first use; {@link #map} maps the file read-only; the file's name goes to a container that
     * sends files itself.
     */
    private static final class FileObject implements StoredObject {
        private final String key;
        private final Path file;
        private final long size;
        private final long lastModified;
        private volatile FileChannel channel;

        FileObject(String key, Path file, long size, long lastModified) {
            this.key = key;
            this.file = file;
            this.size = size;
            this.lastModified = lastModified;
        }

        private FileChannel channel() throws IOException {
            FileChannel c = channel;
            if (c == null) {
                synchronized (this) {
                    c = channel;
                    if (c == null) {
                        c = FileChannel.open(file, StandardOpenOption.READ);
                        channel = c;
                    }
                }
            }
            return c;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public long lastModifiedMillis() {
            return lastModified;
        }

        @Override
        public InputStream stream() throws IOException {
            return Files.newInputStream(file, StandardOpenOption.READ);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return channel().read(dst, position);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return ChannelObject.transfer(channel(), size, position, count, target);
        }

        @Override
        public ByteBuffer map() throws IOException {
            return channel().map(FileChannel.MapMode.READ_ONLY, 0, size);
        }

        @Override
        public Optional<String> containerFileName() {
            return Optional.of(file.toString());
        }

        @Override
        public void close() throws IOException {
            FileChannel c = channel;
            if (c != null) {
                c.close();
            }
        }
    }
}
