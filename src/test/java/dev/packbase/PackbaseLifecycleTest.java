package dev.packbase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Building the object graph starts nothing; opening reads the state; starting seeds and runs the background work. */
class PackbaseLifecycleTest {
    @TempDir
    Path root;

    private static Set<String> packbaseThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("packbase-")).collect(Collectors.toSet());
    }

    @Test
    void buildStartsNothingOpenReadsTheStateAndStartStartsTheBackgroundWork() throws Exception {
        Set<String> before = packbaseThreads();
        try (Packbase built = Packbase.build(TestConfigs.config(root, Map.of()), Clock.systemUTC())) {
            assertEquals(before, packbaseThreads(), "building started no thread");
            assertFalse(Files.exists(root.resolve("p")), "building seeded nothing");
            assertTrue(built.registry().localNames().isEmpty(), "building read no state");
        }
        try (Packbase started = Packbase.start(TestConfigs.config(root, Map.of()), Clock.systemUTC())) {
            assertEquals(List.of("hello"), started.registry().localNames(), "start seeds the empty root");
            started.derivedDataChecked().get();
            assertTrue(packbaseThreads().contains("packbase-snapshot-writer"), packbaseThreads().toString());
        }
        try (Packbase opened = Packbase.build(TestConfigs.config(root, Map.of()), Clock.systemUTC()).open()) {
            assertEquals(List.of("hello"), opened.registry().localNames(), "open reads the state");
            Set<String> threads = packbaseThreads();
            assertFalse(threads.contains("packbase-snapshot-writer") || threads.contains("packbase-derived-check")
                    || threads.contains("packbase-edge-reload"), "opening started no background work: " + threads);
            assertFalse(opened.derivedDataChecked().isDone(), "the derived-data check never ran");
        }
    }
}
