package dev.packbase;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.packbase.update.FixtureRepositories.Fixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FixtureDirectoryTest {
    @TempDir
    Path root;

    private Path bare(String name) throws Exception {
        Path repo = Files.createDirectories(root.resolve("git").resolve(name).resolve("objects")).getParent();
        Files.writeString(repo.resolve("HEAD"), "ref: refs/heads/main\n");
        return repo;
    }

    @Test
    void listsTheBareRepositoriesDirectlyInTheDirectoryByName() throws Exception {
        Path b = bare("b-lib.git");
        Path a = bare("a-lib");
        Files.createDirectories(root.resolve("git/not-a-repo/objects"));
        Files.writeString(root.resolve("git/stray.txt"), "x");
        assertEquals(List.of(new Fixture("a-lib", a.toUri().toString()), new Fixture("b-lib", b.toUri().toString())),
                new FixtureDirectory(root.resolve("git")).list());
    }

    @Test
    void noDirectoryMeansNoFixtures() {
        assertEquals(List.of(), new FixtureDirectory(root.resolve("git")).list());
    }
}
