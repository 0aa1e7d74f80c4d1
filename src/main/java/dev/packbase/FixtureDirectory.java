package dev.packbase;

import dev.packbase.update.FixtureRepositories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * {@link FixtureRepositories} from a directory: every bare repository directly in it (a directory with
 * {@code HEAD} and {@code objects/}), named after the directory without {@code .git}, fetched by its
 * {@code file:} URL. Part of the composition root, since it is the one place that knows the root is a directory.
 */
final class FixtureDirectory implements FixtureRepositories {
    private static final Logger LOG = Logger.getLogger(FixtureDirectory.class.getName());

    private final Path dir;

    FixtureDirectory(Path dir) {
        this.dir = dir;
    }

    @Override
    public List<Fixture> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(p -> Files.isRegularFile(p.resolve("HEAD")) && Files.isDirectory(p.resolve("objects")))
                    .sorted()
                    .map(p -> new Fixture(p.getFileName().toString().replaceFirst("\\.git$", ""), p.toUri().toString()))
                    .toList();
        } catch (IOException e) {
            LOG.warning(() -> "cannot list fixture repositories in " + dir + ": " + e.getMessage());
            return List.of();
        }
    }
}
