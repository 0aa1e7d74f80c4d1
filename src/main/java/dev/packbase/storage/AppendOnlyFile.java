package dev.packbase.storage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * A local file of lines that only grows (the audit log): each line is appended with one {@code write(2)} on a
 * channel opened with {@code O_APPEND} and forced to the disk before {@link #append} returns, so a line a caller
 * was told about survives kill -9 and power loss, and lines from concurrent callers never interleave. Nothing is
 * ever rewritten. A crash during a write can at most leave a last line without its newline; {@link #open} finds
 * such a torn tail and ends it with a newline, so the next line starts on a line of its own, and
 * {@link #readLines} passes only complete lines (a torn one stays in the file, and a reader that parses lines
 * skips it as unparsable).
 *
 * <p>Always a local file, also when the registry lives in a bucket: object storage has no append, and this record
 * belongs to the node that served the calls.
 */
public final class AppendOnlyFile implements AutoCloseable {
    private final Path path;
    private FileChannel channel;
    private long tornTails;

    public AppendOnlyFile(Path path) {
        this.path = path.toAbsolutePath().normalize();
    }

    public Path path() {
        return path;
    }

    /**
     * Opens the file for appending, creating it (and its directory) when absent; a torn last line is ended with a
     * newline first. Idempotent. Returns whether a torn tail was found by this open.
     */
    public synchronized boolean open() throws IOException {
        if (channel != null) {
            return false;
        }
        Files.createDirectories(path.getParent());
        boolean torn = false;
        try (FileChannel reader = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            long size = reader.size();
            if (size > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                reader.read(last, size - 1);
                torn = last.get(0) != '\n';
            }
        }
        FileChannel opened = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        try {
            if (torn) {
                writeFully(opened, ByteBuffer.wrap(new byte[] {'\n'}));
                opened.force(false);
                tornTails++;
            }
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
        channel = opened;
        return torn;
    }

    /**
     * Appends {@code line} (UTF-8, without a newline: one is added) and forces it to the disk. Opens the file first
     * when needed.
     */
    public synchronized void append(byte[] line) throws IOException {
        for (byte b : line) {
            if (b == '\n' || b == '\r') {
                throw new IllegalArgumentException("a line of " + path + " cannot contain a line break");
            }
        }
        open();
        ByteBuffer buffer = ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
        writeFully(channel, buffer);
        channel.force(false);
    }

    /** How many torn tails {@link #open} has ended since this object was made (0 or 1). */
    public synchronized long tornTails() {
        return tornTails;
    }

    /**
     * Every complete line in file order (without its newline); a last line without a newline is being written or
     * was torn by a crash, and is left out. Nothing when the file does not exist.
     */
    public void readLines(Consumer<String> visitor) throws IOException {
        InputStream in;
        try {
            in = Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            return;
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = reader.read()) >= 0) {
                if (c == '\n') {
                    visitor.accept(line.toString());
                    line.setLength(0);
                } else {
                    line.append((char) c);
                }
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        // One write(2) for a line in practice; the loop only matters for a short write.
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
