package dev.packbase.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Optional;

/**
 * One stored object opened for reading ({@link Storage#read}): its size, and its bytes in whichever
 * shape the reader can use without a copy. Tarball downloads and Git serving read through this, so a
 * backend decides how bytes reach them: {@link FileStorage} with positional reads, {@code transferTo}
 * and memory maps of the file, and the container's own sendfile; {@link MemoryStorage} with views of
 * the bytes it holds. It is meant for objects that never change under their key (tarballs, packs): a
 * backend may bind a handle to the bytes when it is made or when they are first read, so an object
 * replaced or deleted while a handle is open may read either way.
 *
 * <p>A handle is for one reader at a time, except {@link #read(ByteBuffer, long)}, which is
 * positional and may be called from several threads. Close it when done; buffers from {@link #map()}
 * stay valid after that.
 */
public interface StoredObject extends AutoCloseable {

    String key();

    /** The object's length in bytes. */
    long size();

    long lastModifiedMillis();

    /** A stream of the whole object, from its first byte. */
    InputStream stream() throws IOException;

    /**
     * Reads into {@code dst} from {@code position} on, as {@link java.nio.channels.FileChannel#read(ByteBuffer, long)}:
     * the number of bytes read, -1 when {@code position} is at or past the end.
     */
    int read(ByteBuffer dst, long position) throws IOException;

    /**
     * Writes {@code count} bytes from {@code position} to {@code target}, returning how many it wrote (fewer
     * only at the end of the object). The file backend uses {@code FileChannel.transferTo}, which the OS turns
     * into sendfile(2) for a socket or a file.
     */
    long transferTo(long position, long count, WritableByteChannel target) throws IOException;

    /**
     * The whole object as a read-only buffer, without copying it to the heap: a memory map of the file, or a
     * view of the bytes a memory store holds. It outlives the handle; keep it only as long as a bounded cache
     * does (a map's address space is released only when the buffer is collected).
     */
    ByteBuffer map() throws IOException;

    /**
     * The absolute name of a local file holding exactly these bytes, for a servlet container that sends files
     * itself (Tomcat's sendfile attributes); empty for a store without local files. Callers hand it to the
     * container as it is and never open or change it.
     */
    default Optional<String> containerFileName() {
        return Optional.empty();
    }

    @Override
    void close() throws IOException;
}
