package dev.packbase.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.storage.MemoryStorage;
import dev.packbase.storage.Storage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Migrate}'s copy on in-memory stores: everything, in dependency order, resumable, verified; its progress. */
class MigrateTest {
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final Migrate migrate = new Migrate(new PrintStream(printed, true, StandardCharsets.UTF_8));

    private static void put(Storage s, String key, String content) throws IOException {
        s.replace(key, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] read(Storage s, String key) throws IOException {
        try (InputStream in = s.open(key)) {
            return in.readAllBytes();
        }
    }

    private static MemoryStorage source() throws IOException {
        MemoryStorage s = new MemoryStorage();
        put(s, "p/lib/tag/v1.tar.gz", "tarball");
        put(s, "p/lib/tag/v1.json", "{\"tarball\":{\"sha256\":\"" + sha256("tarball") + "\"}}");
        put(s, ".packbase/packages/lib.json", "{}");
        put(s, ".packbase/info/lib.json", "{}");
        put(s, ".packbase/package-info.json", "{}");
        put(s, ".packbase/tmp/obj-1.tmp", "scratch");
        return s;
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void copiesEverythingButScratchInDependencyOrderAndResumes() throws Exception {
        MemoryStorage from = source();
        List<String> writes = new ArrayList<>();
        MemoryStorage to = new MemoryStorage();
        Storage recording = new RecordingStorage(to, writes);
        Migrate.Totals first = migrate.copy(from, recording, new Migrate.Progress(new PrintStream(printed), false));
        assertEquals(5, first.copied());
        assertEquals(1, first.packages());
        assertEquals(List.of("p/lib/tag/v1.tar.gz", "p/lib/tag/v1.json", ".packbase/packages/lib.json",
                ".packbase/info/lib.json", ".packbase/package-info.json"), writes, "what a record names comes first");
        assertTrue(to.stat(".packbase/tmp/obj-1.tmp").isEmpty(), "scratch work stays behind");
        assertArrayEquals(read(from, "p/lib/tag/v1.tar.gz"), read(to, "p/lib/tag/v1.tar.gz"));
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("] lib: 2 copied, 0 kept"), printed.toString());

        to.delete(".packbase/packages/lib.json");
        Migrate.Totals again = migrate.copy(from, to, new Migrate.Progress(new PrintStream(printed), false));
        assertEquals(2, again.kept(), "the tarball and manifest are there and verify");
        assertEquals(3, again.copied(), "state objects are copied again");
    }

    @Test
    void aTarballThatDoesNotMatchItsManifestStopsTheCopy() throws Exception {
        MemoryStorage from = source();
        put(from, "p/lib/tag/v1.tar.gz", "tampered");
        MemoryStorage to = new MemoryStorage();
        IOException e = assertThrows(IOException.class,
                () -> migrate.copy(from, to, new Migrate.Progress(new PrintStream(printed), false)));
        assertTrue(e.getMessage().contains("does not match its manifest"), e.getMessage());
    }

    @Test
    void aTerminalGetsOneBarRedrawnInPlace() {
        ByteArrayOutputStream bar = new ByteArrayOutputStream();
        Migrate.Progress progress = new Migrate.Progress(new PrintStream(bar, true, StandardCharsets.UTF_8), true);
        progress.step(1, 4, "lib", 2, 0);
        progress.step(4, 4, "(registry state)", 3, 0);
        progress.end();
        String text = bar.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("\r[#######                       ] 1/4 lib"), text);
        assertTrue(text.contains("\r[##############################] 4/4 (registry state)"), text);
        assertEquals(1, text.chars().filter(c -> c == '\n').count(), "one line in the end");
    }

    /** Records the order of creates and replaces. */
    private record RecordingStorage(MemoryStorage inner, List<String> writes) implements Storage {
        @Override
        public boolean createIfAbsent(String key, ContentWriter writer) throws IOException {
            synchronized (writes) {
                writes.add(key);
            }
            return inner.createIfAbsent(key, writer);
        }

        @Override
        public void replace(String key, ContentWriter writer) throws IOException {
            synchronized (writes) {
                writes.add(key);
            }
            inner.replace(key, writer);
        }

        @Override
        public boolean replaceIf(String key, String version, ContentWriter writer) throws IOException {
            return inner.replaceIf(key, version, writer);
        }

        @Override
        public java.util.Optional<Versioned> readVersioned(String key) throws IOException {
            return inner.readVersioned(key);
        }

        @Override
        public java.util.Optional<ObjectInfo> stat(String key) throws IOException {
            return inner.stat(key);
        }

        @Override
        public java.util.Optional<dev.packbase.storage.StoredObject> read(String key) throws IOException {
            return inner.read(key);
        }

        @Override
        public InputStream open(String key) throws IOException {
            return inner.open(key);
        }

        @Override
        public List<String> list(String prefix) throws IOException {
            return inner.list(prefix);
        }

        @Override
        public List<String> names(String prefix) throws IOException {
            return inner.names(prefix);
        }

        @Override
        public boolean delete(String key) throws IOException {
            return inner.delete(key);
        }

        @Override
        public boolean writable() {
            return true;
        }

        @Override
        public String describe() {
            return "recording";
        }
    }
}
