package dev.packbase.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StorageContract} on a directory, and what only files have: temporary files, and names for sendfile. */
class FileStorageTest extends StorageContract {
    @TempDir
    Path root;

    @Override
    protected Storage newStorage() {
        return FileStorage.open(root);
    }

    @Override
    protected Storage readOnlyView(Storage writable) {
        return FileStorage.open(root, true);
    }

    @Override
    protected void assertNoLeftovers() throws IOException {
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
    void aStoredObjectNamesItsFileForTheContainer() throws Exception {
        FileStorage s = FileStorage.open(root);
        s.createIfAbsent("p/a/tag/v1.tar.gz", out -> out.write("tarball".getBytes()));
        try (StoredObject o = s.read("p/a/tag/v1.tar.gz").orElseThrow()) {
            Path file = Path.of(o.containerFileName().orElseThrow());
            assertTrue(file.isAbsolute());
            assertArrayEquals("tarball".getBytes(), Files.readAllBytes(file));
        }
        Files.createDirectories(root.resolve("p/a/tag/v2.tar.gz"));
        assertTrue(s.read("p/a/tag/v2.tar.gz").isEmpty(), "a directory is not an object");
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
