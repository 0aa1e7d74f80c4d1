package dev.packbase.config;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The named tokens of this node: {@code PACKBASE_TOKEN} as {@code default}, and the lines of
 * {@code PACKBASE_TOKENS_FILE}, re-read when the file changes. The file is this node's local configuration like
 * the settings (and, like the token, a secret that has no place in a shared bucket), so it is read here, beside the
 * settings, and not through {@code Storage}, which holds the registry.
 *
 * <p>Format, one entry a line: {@code name:token} or {@code name:sha256:<64 hex digits of the token's SHA-256>};
 * {@code #} comments and blank lines are allowed, spaces around a line are ignored. A bad line (no colon, a bad or
 * reserved or repeated name, an empty token, a digest that is not 64 hex digits) is logged as a WARNING with its
 * line number and reason, never its text, and ignored; the other lines apply. A token that itself begins with
 * {@code sha256:} must be given in the digest form.
 *
 * <p>Changes are noticed on use: each {@link #current} compares the file's modification time, size and file key
 * (inode) with the last read, one {@code stat} per call, and reads it again when they differ. A file that cannot be
 * read at startup stops the deployment; one that goes missing or unreadable later keeps the tokens last read, with
 * a WARNING.
 */
public final class TokensFile {
    private static final Logger LOG = Logger.getLogger(TokensFile.class.getName());
    private static final Pattern DIGEST = Pattern.compile("[0-9a-fA-F]{64}");
    private static final String DIGEST_PREFIX = "sha256:";

    private final Optional<Path> path;
    private final Optional<String> defaultToken;
    private volatile Read last;
    private final Set<String> warned = new HashSet<>();

    /** What was read, and the file's stamp at that time (null without a file). */
    private record Read(Tokens tokens, Stamp stamp) {
    }

    private record Stamp(long modifiedNanos, long size, Object fileKey) {
    }

    /** The entries of a file and its bad lines (line number and reason). */
    public record Parsed(List<Tokens.Named> entries, List<String> problems) {
    }

    public TokensFile(Optional<Path> path, Optional<String> defaultToken) {
        this.path = path;
        this.defaultToken = defaultToken;
    }

    /** Reads the file for the first time; a missing or unreadable file is a startup failure. */
    public synchronized Tokens load() {
        if (last == null) {
            if (path.isEmpty()) {
                last = new Read(defaultToken.map(t -> new Tokens(List.of(Tokens.Named.ofToken(Tokens.DEFAULT_NAME, t)),
                        true)).orElse(Tokens.none()), null);
            } else {
                try {
                    last = read(path.get());
                } catch (IOException e) {
                    throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot read PACKBASE_TOKENS_FILE "
                            + path.get().toAbsolutePath() + ": " + e, e);
                }
                LOG.info(() -> "PACKBASE_TOKENS_FILE " + path.get().toAbsolutePath() + ": " + describe(last.tokens()));
            }
        }
        return last.tokens();
    }

    /** The tokens in force: the file is read again when it changed since the last read. */
    public Tokens current() {
        Read read = last;
        if (read == null) {
            return load();
        }
        if (path.isEmpty()) {
            return read.tokens();
        }
        Stamp now;
        try {
            now = stamp(path.get());
        } catch (IOException e) {
            warnOnce(read, "cannot read PACKBASE_TOKENS_FILE " + path.get().toAbsolutePath() + " (" + e
                    + "); the tokens read before stay in force");
            return read.tokens();
        }
        if (now.equals(read.stamp())) {
            return read.tokens();
        }
        synchronized (this) {
            if (!now.equals(last.stamp())) {
                try {
                    Read reread = read(path.get());
                    last = reread;
                    LOG.info(() -> "PACKBASE_TOKENS_FILE " + path.get().toAbsolutePath() + " changed: "
                            + describe(reread.tokens()));
                } catch (IOException e) {
                    warnOnce(last, "cannot read PACKBASE_TOKENS_FILE " + path.get().toAbsolutePath() + " (" + e
                            + "); the tokens read before stay in force");
                }
            }
            return last.tokens();
        }
    }

    private Read read(Path file) throws IOException {
        // The stamp is taken before the bytes: a change during the read shows as a new stamp next time.
        Stamp stamp = stamp(file);
        Parsed parsed = parse(Files.readString(file, StandardCharsets.UTF_8), defaultToken.isPresent());
        parsed.problems().forEach(p -> LOG.warning("PACKBASE_TOKENS_FILE " + file.toAbsolutePath() + " " + p
                + "; line ignored"));
        List<Tokens.Named> entries = new ArrayList<>();
        defaultToken.ifPresent(t -> entries.add(Tokens.Named.ofToken(Tokens.DEFAULT_NAME, t)));
        entries.addAll(parsed.entries());
        return new Read(new Tokens(entries, true), stamp);
    }

    private synchronized void warnOnce(Read read, String message) {
        if (warned.add(read.stamp() + message)) {
            LOG.warning(message);
        }
    }

    private static Stamp stamp(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(a.lastModifiedTime().toInstant().getEpochSecond() * 1_000_000_000L
                + a.lastModifiedTime().toInstant().getNano(), a.size(), a.fileKey());
    }

    private static String describe(Tokens tokens) {
        return tokens.entries().size() + " token(s): " + String.join(", ", tokens.names());
    }

    /**
     * The entries of a tokens file's text. {@code defaultReserved}: {@code PACKBASE_TOKEN} is set, so the name
     * {@code default} is taken.
     */
    public static Parsed parse(String text, boolean defaultReserved) {
        List<Tokens.Named> entries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> names = new HashSet<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "line " + (i + 1) + ": ";
            int colon = line.indexOf(':');
            if (colon < 0) {
                problems.add(where + "expected name:token or name:sha256:<hex>");
                continue;
            }
            String name = line.substring(0, colon).strip();
            String secret = line.substring(colon + 1).strip();
            if (!Tokens.NAME.matcher(name).matches()) {
                problems.add(where + "a name is 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit");
                continue;
            }
            if (name.equals(Tokens.ANONYMOUS) || (defaultReserved && name.equals(Tokens.DEFAULT_NAME))) {
                problems.add(where + "the name '" + name + "' is reserved"
                        + (name.equals(Tokens.DEFAULT_NAME) ? " for PACKBASE_TOKEN" : " for calls without a token"));
                continue;
            }
            if (!names.add(name)) {
                problems.add(where + "the name '" + name + "' is given twice (the first line counts)");
                continue;
            }
            if (secret.isEmpty()) {
                problems.add(where + "the token of '" + name + "' is empty");
                names.remove(name);
                continue;
            }
            if (secret.startsWith(DIGEST_PREFIX)) {
                String hex = secret.substring(DIGEST_PREFIX.length()).strip();
                if (!DIGEST.matcher(hex).matches()) {
                    problems.add(where + "the sha256 of '" + name + "' is not 64 hex digits");
                    names.remove(name);
                    continue;
                }
                entries.add(new Tokens.Named(name, HexFormat.of().parseHex(hex.toLowerCase(java.util.Locale.ROOT))));
            } else {
                entries.add(Tokens.Named.ofToken(name, secret));
            }
        }
        return new Parsed(entries, problems);
    }
}
