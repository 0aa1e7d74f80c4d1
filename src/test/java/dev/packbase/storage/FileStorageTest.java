package dev.packbase.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStorageTest {
    @TempDir
    Path root;

    private static byte[] read(Storage s, String key) throws IOException {
        try (InputStream in = s.open(key)) {
            return in.readAllBytes();
        }
    }

    @Test
    void createIfAbsentNeverOverwrites() throws Exception {
        FileStorage s = FileStorage.open(root);
        assertTrue(s.createIfAbsent("p/a/tag/v1.tar.gz", out -> out.write("first".getBytes())));
        assertFalse(s.createIfAbsent("p/a/tag/v1.tar.gz", out -> out.write("second".getBytes())));
        assertArrayEquals("first".getBytes(), read(s, "p/a/tag/v1.tar.gz"));
        assertEquals(5, s.stat("p/a/tag/v1.tar.gz").orElseThrow().size());
        assertNoTemporaryFiles();
    }

    @Test
    void concurrentCreatorsHaveExactlyOneWinner() throws Exception {
        FileStorage s = FileStorage.open(root);
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
        assertNoTemporaryFiles();
    }

    @Test
    void aFailingWriterLeavesNothingVisible() throws Exception {
        FileStorage s = FileStorage.open(root);
        assertThrows(IOException.class, () -> s.createIfAbsent("p/x.tar.gz", out -> {
            out.write(new byte[1000]);
            throw new IOException("network dropped");
        }));
        assertTrue(s.stat("p/x.tar.gz").isEmpty());
        s.replace("state.json", out -> out.write("old".getBytes()));
        assertThrows(IOException.class, () -> s.replace("state.json", out -> {
            out.write("new but incomplete".getBytes());
            throw new IOException("disk full");
        }));
        assertArrayEquals("old".getBytes(), read(s, "state.json"), "replace is all or nothing");
        assertNoTemporaryFiles();
    }

    @Test
    void leftoverTemporaryFilesAreRemovedAtStart() throws Exception {
        Path tmp = Files.createDirectories(root.resolve(".packbase/tmp/ingest-x-123"));
        Files.writeString(tmp.resolve("pack"), "partial");
        Files.writeString(root.resolve(".packbase/tmp/obj-1.tmp"), "partial");
        FileStorage.open(root);
        assertNoTemporaryFiles();
    }

    @Test
    void keysCannotEscapeTheRoot() throws Exception {
        FileStorage s = FileStorage.open(root);
        for (String bad : List.of("../x", "/etc/passwd", "a/../../x", "a//b", "a\\b", "./a", "a/./b", "")) {
            assertThrows(IllegalArgumentException.class, () -> s.stat(bad), bad);
        }
    }

    @Test
    void listReturnsSortedKeysUnderAPrefix() throws Exception {
        FileStorage s = FileStorage.open(root);
        s.replace("p/b/tag/v2.json", out -> out.write('x'));
        s.replace("p/b/tag/v1.json", out -> out.write('x'));
        s.replace("p/c/tag/v1.json", out -> out.write('x'));
        assertEquals(List.of("p/b/tag/v1.json", "p/b/tag/v2.json"), s.list("p/b/"));
        assertEquals(List.of(), s.list("p/none/"));
    }

    private void assertNoTemporaryFiles() throws IOException {
        Path tmp = root.resolve(".packbase/tmp");
        if (Files.isDirectory(tmp)) {
            try (Stream<Path> files = Files.list(tmp)) {
                assertEquals(List.of(), files.toList());
            }
        }
    }
}
