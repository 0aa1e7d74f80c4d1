package dev.packbase.http;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;

/**
 * The response a handler writes, counting the body bytes it writes (for the metrics' bytes served). A buffer
 * handed to the container's {@code write(ByteBuffer)} is counted by {@link ContainerWrites}, which writes it to
 * the container's own stream underneath.
 */
final class CountingResponse extends HttpServletResponseWrapper {
    private Counting out;

    CountingResponse(HttpServletResponse response) {
        super(response);
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (out == null) {
            out = new Counting(super.getOutputStream());
        }
        return out;
    }

    /** Body bytes written so far. */
    long bytes() {
        return out == null ? 0 : out.count;
    }

    /** The counting stream; {@link ContainerWrites} reaches through it to the container's stream. */
    static final class Counting extends ServletOutputStream {
        final ServletOutputStream delegate;
        long count;

        Counting(ServletOutputStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(int b) throws IOException {
            delegate.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            delegate.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            delegate.flush();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            delegate.setWriteListener(listener);
        }
    }
}
