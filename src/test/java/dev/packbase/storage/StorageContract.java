package dev.packbase.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Storage} backend promises, run against each ({@link FileStorageTest}, {@link MemoryStorageTest}):
 * create-if-absent has one winner and never overwrites, a failed write leaves nothing, keys are plain relative paths,
 * listings are sorted, and a {@link StoredObject} gives the same bytes through every view.
 */
abstract class StorageContract {

    /** A fresh, empty, writable store. */
    protected abstract Storage newStorage() throws IOException;

    /** A read-only store over the same objects as {@code writable}, as an edge node sees them. */
    protected abstract Storage readOnlyView(Storage writable) throws IOException;

    /** Backend-specific checks that a finished write left nothing behind (temporary files, say). */
    protected void assertNoLeftovers() throws IOException {
    }

    static byte[] read(Storage s, String key) throws IOException {
        try (InputStream in = s.open(key)) {
            return in.readAllBytes();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void createIfAbsentNeverOverwrites() throws Exception {
        Storage s = newStorage();
        assertTrue(s.createIfAbsent("p/a/tag/v1.tar.gz", out -> out.write("first".getBytes())));
        assertFalse(s.createIfAbsent("p/a/tag/v1.tar.gz", out -> out.write("second".getBytes())));
        assertArrayEquals("first".getBytes(), read(s, "p/a/tag/v1.tar.gz"));
        assertEquals(5, s.stat("p/a/tag/v1.tar.gz").orElseThrow().size());
        assertNoLeftovers();
    }

    @Test
    void concurrentCreatorsHaveExactlyOneWinner() throws Exception {
        Storage s = newStorage();
        int writers = 8;
        CountDownLatch allWritten = new CountDownLatch(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                byte[] content = ("writer " + i).getBytes(StandardCharsets.UTF_8);
                results.add(pool.submit(() -> s.createIfAbsent("k/obj", out -> {
                    out.write(content);
                    // Every writer has its content ready before any publishes: a real race on the name.
                    allWritten.countDown();
                    try {
                        allWritten.await();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                })));
            }
            int winners = 0;
            for (Future<Boolean> r : results) {
                winners += r.get() ? 1 : 0;
            }
            assertEquals(1, winners);
            assertTrue(new String(read(s, "k/obj"), StandardCharsets.UTF_8).startsWith("writer "));
        } finally {
            pool.shutdownNow();
        }
        assertNoLeftovers();
    }

    @Test
    void aFailingWriterLeavesNothingVisible() throws Exception {
        Storage s = newStorage();
        assertThrows(IOException.class, () -> s.createIfAbsent("p/x.tar.gz", out -> {
            out.write(new byte[1000]);
            throw new IOException("network dropped");
        }));
        assertTrue(s.stat("p/x.tar.gz").isEmpty());
        assertTrue(s.read("p/x.tar.gz").isEmpty());
        s.replace("state.json", out -> out.write("old".getBytes()));
        assertThrows(IOException.class, () -> s.replace("state.json", out -> {
            out.write("new but incomplete".getBytes());
            throw new IOException("disk full");
        }));
        assertArrayEquals("old".getBytes(), read(s, "state.json"), "replace is all or nothing");
        assertNoLeftovers();
    }

    @Test
    void keysCannotEscapeTheRoot() throws Exception {
        Storage s = newStorage();
        for (String bad : List.of("../x", "/etc/passwd", "a/../../x", "a//b", "a\\b", "./a", "a/./b", "")) {
            assertThrows(IllegalArgumentException.class, () -> s.stat(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> s.read(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> s.replace(bad, out -> out.write('x')), bad);
        }
    }

    @Test
    void listReturnsSortedKeysUnderAPrefix() throws Exception {
        Storage s = newStorage();
        s.replace("p/b/tag/v2.json", out -> out.write('x'));
        s.replace("p/b/tag/v1.json", out -> out.write('x'));
        s.replace("p/c/tag/v1.json", out -> out.write('x'));
        s.replace("p/b-other/tag/v1.json", out -> out.write('x'));
        assertEquals(List.of("p/b/tag/v1.json", "p/b/tag/v2.json"), s.list("p/b/"));
        assertEquals(List.of(), s.list("p/none/"));
        assertThrows(IllegalArgumentException.class, () -> s.list("p/b"));
    }

    @Test
    void namesAreOneLevelOfObjectsAndPrefixes() throws Exception {
        Storage s = newStorage();
        for (String key : List.of("g/x/packs/pack-2.pack", "g/x/packs/pack-1.pack", "g/x/packs/pack-1.idx",
                "g/x/index.json", "g/x/history/h.pack", "g/xy/index.json")) {
            s.replace(key, out -> out.write('x'));
        }
        assertEquals(List.of("pack-1.idx", "pack-1.pack", "pack-2.pack"), s.names("g/x/packs/"));
        assertEquals(List.of("history", "index.json", "packs"), s.names("g/x/"));
        assertEquals(List.of(), s.names("g/none/"));
        assertEquals(List.of(), s.names("g/x/index.json/"), "an object is not a prefix");
    }

    @Test
    void deleteAllRemovesEverythingUnderAPrefixOnly() throws Exception {
        Storage s = newStorage();
        for (String key : List.of("g/x/packs/a.pack", "g/x/packs/a.idx", "g/x/index.json", "g/xy/index.json")) {
            s.replace(key, out -> out.write('x'));
        }
        assertEquals(3, s.deleteAll("g/x/"));
        assertEquals(List.of(), s.list("g/x/"));
        assertTrue(s.stat("g/x/index.json").isEmpty());
        assertEquals(List.of("xy"), s.names("g/"), "nothing of the deleted prefix is left, not even its name");
        assertEquals(List.of("g/xy/index.json"), s.list("g/"));
        assertEquals(0, s.deleteAll("g/none/"));
        assertTrue(s.delete("g/xy/index.json"));
        assertFalse(s.delete("g/xy/index.json"));
    }

    @Test
    void aStoredObjectGivesTheSameBytesThroughEveryView() throws Exception {
        Storage s = newStorage();
        byte[] bytes = random(200_000, 7);
        s.createIfAbsent("p/big/tag/v1.tar.gz", out -> out.write(bytes));
        assertTrue(s.read("p/big/tag/v2.tar.gz").isEmpty());
        assertThrows(NoSuchFileException.class, () -> s.open("p/big/tag/v2.tar.gz"));

        ByteBuffer mapped;
        try (StoredObject o = s.read("p/big/tag/v1.tar.gz").orElseThrow()) {
            assertEquals("p/big/tag/v1.tar.gz", o.key());
            assertEquals(bytes.length, o.size());
            assertEquals(s.stat(o.key()).orElseThrow().lastModifiedMillis(), o.lastModifiedMillis());
            try (InputStream in = o.stream()) {
                assertArrayEquals(bytes, in.readAllBytes());
            }

            ByteBuffer part = ByteBuffer.allocate(1000);
            assertEquals(1000, readFully(o, part, 150_000));
            assertArrayEquals(Arrays.copyOfRange(bytes, 150_000, 151_000), part.array());
            ByteBuffer tail = ByteBuffer.allocate(1000);
            assertEquals(500, readFully(o, tail, bytes.length - 500), "a read stops at the end");
            assertEquals(-1, o.read(ByteBuffer.allocate(10), bytes.length));

            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            assertEquals(100_000, o.transferTo(10, 100_000, Channels.newChannel(sent)));
            assertArrayEquals(Arrays.copyOfRange(bytes, 10, 100_010), sent.toByteArray());
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            assertEquals(1_000, o.transferTo(bytes.length - 1_000, 5_000, Channels.newChannel(rest)),
                    "a transfer stops at the end");
            assertEquals(0, o.transferTo(bytes.length, 5, Channels.newChannel(new ByteArrayOutputStream())));

            mapped = o.map();
            assertTrue(mapped.isReadOnly());
        }
        byte[] viewed = new byte[mapped.remaining()];
        mapped.get(viewed);
        assertArrayEquals(bytes, viewed, "the buffer view outlives the handle");
    }

    /** Positional reads until {@code dst} is full or the object ends; the bytes read. */
    private static int readFully(StoredObject o, ByteBuffer dst, long position) throws IOException {
        int total = 0;
        int n;
        while (dst.hasRemaining() && (n = o.read(dst, position + total)) > 0) {
            total += n;
        }
        return total;
    }

    @Test
    void anEmptyObjectHasEmptyViews() throws Exception {
        Storage s = newStorage();
        s.replace("e/empty", out -> { });
        try (StoredObject o = s.read("e/empty").orElseThrow()) {
            assertEquals(0, o.size());
            assertEquals(-1, o.read(ByteBuffer.allocate(1), 0));
            assertEquals(0, o.map().remaining());
            try (InputStream in = o.stream()) {
                assertEquals(-1, in.read());
            }
        }
    }

    @Test
    void aReadOnlyViewReadsButNeverWrites() throws Exception {
        Storage s = newStorage();
        s.replace("p/a/tag/v1.json", out -> out.write("{}".getBytes()));
        Storage edge = readOnlyView(s);
        assertFalse(edge.writable());
        assertTrue(s.writable());
        assertArrayEquals("{}".getBytes(), read(edge, "p/a/tag/v1.json"));
        assertEquals(List.of("p/a/tag/v1.json"), edge.list("p/"));
        Storage.ContentWriter w = out -> out.write('x');
        assertEquals(ErrorCode.READ_ONLY, assertThrows(PackbaseException.class, () -> edge.replace("p/a/tag/v1.json", w)).code());
        assertThrows(PackbaseException.class, () -> edge.createIfAbsent("p/a/tag/v2.json", w));
        assertThrows(PackbaseException.class, () -> edge.delete("p/a/tag/v1.json"));
        assertThrows(PackbaseException.class, () -> edge.deleteAll("p/"));
        assertArrayEquals("{}".getBytes(), read(s, "p/a/tag/v1.json"), "nothing changed");
        s.replace("p/a/tag/v2.json", out -> out.write('y'));
        assertTrue(edge.stat("p/a/tag/v2.json").isPresent(), "the view sees what the writer adds");
    }

    @Test
    void replaceIfComparesTheVersion() throws Exception {
        Storage s = newStorage();
        assertTrue(s.readVersioned("state/a.json").isEmpty());
        assertTrue(s.replaceIf("state/a.json", null, out -> out.write("one".getBytes())), "absent: created");
        assertFalse(s.replaceIf("state/a.json", null, out -> out.write("two".getBytes())), "present: not created again");
        Storage.Versioned first = s.readVersioned("state/a.json").orElseThrow();
        assertArrayEquals("one".getBytes(), first.bytes());
        assertTrue(s.replaceIf("state/a.json", first.version(), out -> out.write("three".getBytes())));
        Storage.Versioned second = s.readVersioned("state/a.json").orElseThrow();
        assertFalse(second.version().equals(first.version()));
        assertFalse(s.replaceIf("state/a.json", first.version(), out -> out.write("stale".getBytes())), "a stale version loses");
        assertArrayEquals("three".getBytes(), read(s, "state/a.json"), "and writes nothing");
        assertNoLeftovers();
    }

    @Test
    void concurrentReadModifyWritesLoseNoUpdate() throws Exception {
        Storage s = newStorage();
        int writers = 6;
        int increments = 10;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Integer>> conflicts = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                conflicts.add(pool.submit(() -> {
                    int lost = 0;
                    for (int i = 0; i < increments; i++) {
                        while (true) {
                            java.util.Optional<Storage.Versioned> current = s.readVersioned("state/counter");
                            int value = current.map(v -> Integer.parseInt(new String(v.bytes(), StandardCharsets.UTF_8))).orElse(0);
                            byte[] next = String.valueOf(value + 1).getBytes(StandardCharsets.UTF_8);
                            if (s.replaceIf("state/counter", current.map(Storage.Versioned::version).orElse(null),
                                    out -> out.write(next))) {
                                break;
                            }
                            lost++;
                        }
                    }
                    return lost;
                }));
            }
            for (Future<Integer> f : conflicts) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(String.valueOf(writers * increments), new String(read(s, "state/counter"), StandardCharsets.UTF_8));
        assertNoLeftovers();
    }
}
