package dev.packbase.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.PackbaseException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensFileTest {
    @TempDir
    Path dir;

    private static String sha256(String token) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void bothFormsCommentsAndBlankLinesAreRead() throws Exception {
        TokensFile.Parsed parsed = TokensFile.parse("""
                # ci and alice
                ci:ci-secret

                  alice : sha256:%s  \r
                """.formatted(sha256("alice-secret").toUpperCase()), false);
        assertEquals(List.of(), parsed.problems());
        Tokens tokens = new Tokens(parsed.entries(), true);
        assertEquals(Optional.of("ci"), tokens.identify("ci-secret"));
        assertEquals(Optional.of("alice"), tokens.identify("alice-secret"));
        assertEquals(Optional.empty(), tokens.identify("sha256:" + sha256("alice-secret")), "the digest is no token");
        assertEquals(Optional.empty(), tokens.identify("ci-secre"));
        assertEquals(Optional.empty(), tokens.identify(""));
    }

    @Test
    void badLinesAreReportedByNumberWithoutTheirTextAndIgnored() {
        TokensFile.Parsed parsed = TokensFile.parse("""
                nocolon-secret-one
                good:g
                bad name:x
                anonymous:x
                default:x
                good:again-secret-two
                empty:
                short:sha256:abcd
                """, true);
        assertEquals(List.of("good"), parsed.entries().stream().map(Tokens.Named::name).toList());
        assertEquals(7, parsed.problems().size(), parsed.problems().toString());
        assertTrue(parsed.problems().get(0).startsWith("line 1: "));
        assertTrue(parsed.problems().get(2).contains("reserved"), parsed.problems().get(2));
        assertTrue(parsed.problems().get(3).contains("PACKBASE_TOKEN"), parsed.problems().get(3));
        assertTrue(parsed.problems().get(4).contains("twice"), parsed.problems().get(4));
        assertTrue(parsed.problems().get(6).contains("64 hex"), parsed.problems().get(6));
        assertFalse(String.join("", parsed.problems()).contains("secret"), "no token text in a report");
    }

    @Test
    void theEnvironmentTokenIsNamedDefault() {
        Tokens tokens = new TokensFile(Optional.empty(), Optional.of("s3cret")).load();
        assertTrue(tokens.required());
        assertEquals(Optional.of("default"), tokens.identify("s3cret"));
        assertFalse(new TokensFile(Optional.empty(), Optional.empty()).load().required(), "no token: auth off");
    }

    @Test
    void aFileIsReadAgainWhenItChangesAndKeepsRequiringATokenWhenEmpty() throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, "ci:one\n");
        TokensFile tokens = new TokensFile(Optional.of(file), Optional.of("env"));
        assertEquals(Optional.of("ci"), tokens.load().identify("one"));
        assertEquals(Optional.of("default"), tokens.current().identify("env"));

        // Replaced as editors and config managers do: a new file renamed over the old one.
        Path next = dir.resolve("tokens.new");
        Files.writeString(next, "ci:two\nbob:sha256:" + sha256("bob-token") + "\n");
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Tokens now = tokens.current();
        assertEquals(Optional.empty(), now.identify("one"), "the old token is gone");
        assertEquals(Optional.of("ci"), now.identify("two"));
        assertEquals(Optional.of("bob"), now.identify("bob-token"));

        Files.writeString(file, "# nobody\n");
        assertTrue(tokens.current().required(), "a tokens file never turns auth off");
        assertEquals(List.of("default"), tokens.current().names());

        Files.delete(file);
        assertEquals(List.of("default"), tokens.current().names(), "a missing file keeps the tokens read last");
    }

    @Test
    void aMissingFileAtStartupStopsIt() {
        TokensFile tokens = new TokensFile(Optional.of(dir.resolve("absent")), Optional.empty());
        PackbaseException e = assertThrows(PackbaseException.class, tokens::load);
        assertTrue(e.getMessage().contains("PACKBASE_TOKENS_FILE"), e.getMessage());
    }
}
