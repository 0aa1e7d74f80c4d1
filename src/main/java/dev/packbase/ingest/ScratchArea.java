package dev.packbase.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Where ingest keeps its working files: JGit fetches into a local bare repository, which is a
 * workspace of one ingest, not stored data, so it lives on a local directory whatever the
 * {@code Storage} backend is. The composition root chooses the directory (for the file backend the
 * root's temporary area, which is emptied at startup and shares the root's file system).
 */
public record ScratchArea(Path dir) {
    private static final Logger LOG = Logger.getLogger(ScratchArea.class.getName());

    /** A fresh, empty directory for one piece of work. */
    public Path create(String purpose) throws IOException {
        Files.createDirectories(dir);
        return Files.createTempDirectory(dir, purpose + "-");
    }

    /** Deletes a directory made by {@link #create}; a failure is logged, never thrown (it is only scratch). */
    public void delete(Path scratch) {
        if (scratch == null || !Files.exists(scratch)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(scratch)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warning(() -> "could not delete scratch directory " + scratch + ": " + e.getMessage());
        }
    }
}
