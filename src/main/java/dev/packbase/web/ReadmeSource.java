package dev.packbase.web;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Finds and reads the README of a stored tarball: what the package page shows and the index summarises. */
final class ReadmeSource {
    /** A README is read up to this size; a longer one is shown cut, with a link to the whole file. */
    static final int MAX_BYTES = 512 * 1024;

    /** A tarball's README: its file name (at the top), its text, and whether it was cut. */
    record Found(String name, String text, boolean truncated) {
    }

    private final TarballFiles files;
    private final Readme readme;

    ReadmeSource(TarballFiles files, Readme readme) {
        this.files = files;
        this.readme = readme;
    }

    Optional<Found> find(String key, String sha256) throws IOException {
        TarballFiles.Listing listing = files.list(key, sha256);
        Optional<String> name = Readme.find(listing.children("").stream()
                .filter(e -> e.kind() == TarballFiles.Kind.FILE).map(TarballFiles.Entry::name).toList());
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Optional<TarballFiles.Content> content = files.read(key, name.get(), MAX_BYTES);
        if (content.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> text = utf8(content.get().bytes());
        return text.map(t -> new Found(name.get(), t, content.get().truncated()));
    }

    /** The README's first paragraph ({@code ""} when there is no README or no prose in it). */
    String summary(String key, String sha256) throws IOException {
        return find(key, sha256).map(f -> readme.summary(f.name(), f.text())).orElse("");
    }

    /** The bytes as UTF-8 text, empty when they are not (a cut at the end may split one character). */
    static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            // The cut may have split the last character: drop up to three bytes and try again.
            for (int drop = 1; drop <= 3 && drop < bytes.length; drop++) {
                try {
                    return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .decode(java.nio.ByteBuffer.wrap(bytes, 0, bytes.length - drop)).toString());
                } catch (CharacterCodingException again) {
                    // try a shorter cut
                }
            }
            return Optional.empty();
        }
    }
}
