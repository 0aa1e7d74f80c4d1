package dev.packbase.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendOnlyFileTest {
    @TempDir
    Path dir;

    private static List<String> lines(AppendOnlyFile file) throws Exception {
        List<String> out = new ArrayList<>();
        file.readLines(out::add);
        return out;
    }

    @Test
    void linesAreAppendedAndSurviveReopening() throws Exception {
        Path path = dir.resolve("sub/audit.log");
        try (AppendOnlyFile file = new AppendOnlyFile(path)) {
            file.append("one".getBytes(StandardCharsets.UTF_8));
            file.append("two".getBytes(StandardCharsets.UTF_8));
        }
        try (AppendOnlyFile file = new AppendOnlyFile(path)) {
            assertFalse(file.open(), "a file ending in a newline has no torn tail");
            file.append("three".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of("one", "two", "three"), lines(file));
        }
        assertEquals("one\ntwo\nthree\n", Files.readString(path));
    }

    @Test
    void aTornTailIsEndedAtOpenSoTheNextLineStartsFresh() throws Exception {
        Path path = dir.resolve("audit.log");
        Files.writeString(path, "{\"a\":1}\n{\"b\":");
        try (AppendOnlyFile file = new AppendOnlyFile(path)) {
            assertEquals(List.of("{\"a\":1}"), lines(file), "a last line without its newline is not read");
            assertTrue(file.open());
            assertEquals(1, file.tornTails());
            file.append("{\"c\":3}".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("{\"a\":1}\n{\"b\":\n{\"c\":3}\n", Files.readString(path), "nothing rewritten, only appended");
    }

    @Test
    void aLineCannotCarryALineBreak() throws Exception {
        try (AppendOnlyFile file = new AppendOnlyFile(dir.resolve("audit.log"))) {
            assertThrows(IllegalArgumentException.class, () -> file.append("a\nb".getBytes(StandardCharsets.UTF_8)));
            assertEquals(List.of(), lines(file));
        }
    }

    @Test
    void concurrentAppendsNeverInterleave() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (AppendOnlyFile file = new AppendOnlyFile(dir.resolve("audit.log"))) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        file.append(("thread-" + thread + "-line-" + i + "-" + "x".repeat(500))
                                .getBytes(StandardCharsets.UTF_8));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            List<String> lines = lines(file);
            assertEquals(400, lines.size());
            Set<String> distinct = new HashSet<>(lines);
            assertEquals(400, distinct.size());
            assertTrue(lines.stream().allMatch(l -> l.matches("thread-[0-7]-line-[0-9]+-x{500}")));
        } finally {
            pool.shutdownNow();
        }
    }
}
