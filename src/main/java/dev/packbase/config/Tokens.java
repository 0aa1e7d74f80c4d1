package dev.packbase.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The bearer tokens that may change state, each with the name the audit log records. Only the SHA-256 of each
 * token is held; a presented token is hashed and compared with every entry by {@link MessageDigest#isEqual}, all
 * of them, so neither the time taken nor the order of the file reveals which or how much of a token matched.
 */
public record Tokens(List<Named> entries, boolean required) {
    /** What a token name may be: short, and safe in a log line. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    /** The name of {@code PACKBASE_TOKEN}. */
    public static final String DEFAULT_NAME = "default";
    /** What the audit log records for a call without a (valid) token. */
    public static final String ANONYMOUS = "anonymous";

    /** One token: its name and the SHA-256 of its bytes (UTF-8). */
    public record Named(String name, byte[] sha256) {
        public Named {
            if (sha256.length != 32) {
                throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, not " + sha256.length);
            }
            sha256 = sha256.clone();
        }

        public static Named ofToken(String name, String token) {
            return new Named(name, Tokens.sha256(token));
        }
    }

    public Tokens {
        entries = List.copyOf(entries);
    }

    /** No token at all: auth is off (CONTRACT §3). */
    public static Tokens none() {
        return new Tokens(List.of(), false);
    }

    /** The name of the token {@code presented} is, if it is one. */
    public Optional<String> identify(String presented) {
        byte[] digest = sha256(presented);
        String found = null;
        for (Named n : entries) {
            if (MessageDigest.isEqual(digest, n.sha256()) && found == null) {
                found = n.name();
            }
        }
        return Optional.ofNullable(found);
    }

    public List<String> names() {
        return entries.stream().map(Named::name).toList();
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
