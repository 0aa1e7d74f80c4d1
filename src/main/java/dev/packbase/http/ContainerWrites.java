package dev.packbase.http;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * A container output stream's public {@code write(ByteBuffer)} (Jetty's has one; Servlet 6.0 has none), found
 * and called without importing the container: the socket write then reads a memory map, with no copy through
 * the heap. Sees through a {@link CountingResponse}'s stream and counts what it writes.
 */
final class ContainerWrites {
    private ContainerWrites() {
    }

    private static final ClassValue<Method> BUFFER_WRITE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getMethod("write", ByteBuffer.class);
                return java.lang.reflect.Modifier.isPublic(m.getDeclaringClass().getModifiers()) ? m : null;
            } catch (NoSuchMethodException | SecurityException e) {
                return null;
            }
        }
    };

    /** Whether {@code out} (or the container stream under it) takes a {@link ByteBuffer}. */
    static boolean supported(OutputStream out) {
        OutputStream target = out instanceof CountingResponse.Counting c ? c.delegate : out;
        return BUFFER_WRITE.get(target.getClass()) != null;
    }

    /** Writes {@code buffer} through the container's {@code write(ByteBuffer)}; only when {@link #supported}. */
    static void write(OutputStream out, ByteBuffer buffer) throws IOException {
        CountingResponse.Counting counting = out instanceof CountingResponse.Counting c ? c : null;
        OutputStream target = counting != null ? counting.delegate : out;
        int length = buffer.remaining();
        try {
            BUFFER_WRITE.get(target.getClass()).invoke(target, buffer);
        } catch (IllegalAccessException e) {
            throw new IOException(e);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        if (counting != null) {
            counting.count += length;
        }
    }
}
