package dev.packbase.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.testing.Cmd;
import dev.packbase.testing.UpstreamRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootCommitIT {
    @TempDir
    Path projects;
    @TempDir
    Path scratch;

    @Test
    void theRootCommitIsWhatGitWritesForTheSameTreeAuthorAndMessageWithoutParents() {
        UpstreamRepo repo = UpstreamRepo.create(projects, "lib", scratch);
        repo.write("a.txt", "one\n").commit("first", 1_600_000_000L);
        repo.write("a.txt", "two\n").commit("second line one\n\nbody with ünïcode\n", 1_600_000_500L);
        byte[] raw = repo.gitBytes("cat-file", "commit", "HEAD");
        String tree = repo.git("rev-parse", "HEAD^{tree}");

        ObjectId derived = RootCommit.id(RootCommit.derive(raw, ObjectId.fromString(tree)));

        // git commit-tree with the upstream's identities and message, and no -p: a parentless twin.
        Map<String, String> env = new HashMap<>(repo.env());
        env.put("GIT_AUTHOR_DATE", "@1600000500 +0000");
        env.put("GIT_COMMITTER_DATE", "@1600000500 +0000");
        String message = "second line one\n\nbody with ünïcode\n";
        String expected = Cmd.run(repo.work(), env, List.of("git", "commit-tree", tree, "-m", message.strip()))
                .stdout().trim();
        assertEquals(expected, derived.name());
        assertEquals("2", repo.git("rev-list", "--count", "HEAD"), "upstream has history; the twin has none");
    }

    @Test
    void signaturesParentsAndUnknownHeadersAreDroppedEncodingIsKept() {
        String raw = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
                + "parent 1111111111111111111111111111111111111111\n"
                + "author A <a@x> 1600000000 +0200\n"
                + "committer C <c@x> 1600000001 -0130\n"
                + "encoding ISO-8859-1\n"
                + "mergetag object 2222222222222222222222222222222222222222\n"
                + " type commit\n"
                + "gpgsig -----BEGIN PGP SIGNATURE-----\n"
                + " abc\n"
                + " -----END PGP SIGNATURE-----\n"
                + "\n"
                + "message\n";
        ObjectId tree = ObjectId.fromString("ce013625030ba8dba906f756967f9e9ca394464a");
        String derived = new String(RootCommit.derive(raw.getBytes(StandardCharsets.ISO_8859_1), tree),
                StandardCharsets.ISO_8859_1);
        assertEquals("tree ce013625030ba8dba906f756967f9e9ca394464a\n"
                + "author A <a@x> 1600000000 +0200\n"
                + "committer C <c@x> 1600000001 -0130\n"
                + "encoding ISO-8859-1\n"
                + "\n"
                + "message\n", derived);
        assertFalse(derived.contains("parent"));
        assertTrue(RootCommit.id(derived.getBytes(StandardCharsets.ISO_8859_1)).name().matches("[0-9a-f]{40}"));
    }
}
