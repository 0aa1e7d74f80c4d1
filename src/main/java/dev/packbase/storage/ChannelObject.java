package dev.packbase.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A {@link StoredObject} over a channel opened when the handle was made (an {@link ObjectCache} entry): every
 * view reads the channel by position, so the file may be evicted, even unlinked, while the handle is open.
 */
final class ChannelObject implements StoredObject {
    private final String key;
    private final FileChannel channel;
    private final long size;
    private final long lastModified;

    ChannelObject(String key, FileChannel channel, long size, long lastModified) {
        this.key = key;
        this.channel = channel;
        this.size = size;
        this.lastModified = lastModified;
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
    public InputStream stream() {
        return new InputStream() {
            private long position;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                int n = channel.read(ByteBuffer.wrap(b, off, len), position);
                if (n > 0) {
                    position += n;
                }
                return n;
            }
        };
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return channel.read(dst, position);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return transfer(channel, size, position, count, target);
    }

    /**
     * {@link StoredObject#transferTo} on a channel of {@code size} bytes: {@code FileChannel.transferTo} until
     * done (it may move fewer bytes per call), which the OS turns into sendfile(2) for a socket.
     */
    static long transfer(FileChannel channel, long size, long position, long count, WritableByteChannel target)
            throws IOException {
        long end = Math.min(size, position + count);
        long at = position;
        while (at < end) {
            long n = channel.transferTo(at, end - at, target);
            if (n <= 0) {
                break; // the file is shorter than it was (it cannot be, short of tampering)
            }
            at += n;
        }
        return at - position;
    }

    @Override
    public ByteBuffer map() throws IOException {
        return channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
