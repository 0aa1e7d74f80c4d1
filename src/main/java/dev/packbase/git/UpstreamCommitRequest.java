package dev.packbase.git;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Serves upstream commit ids (the host-swap case: a build.zig.zon that pinned
 * {@code git+https://github.com/o/r#<upstream sha>} keeps working when only the host becomes
 * packbase). Upstream commits are kept out of JGit's repository entirely, because their parents are
 * not on this server and JGit would walk into them (notes/hybrid-identity.md). The one request shape
 * that can be honoured, a protocol-v2 {@code fetch} of that single commit with {@code deepen 1}, is
 * answered here with the pack precomputed at ingest; any other request naming such a commit gets a
 * clean {@code ERR} saying how to fetch it. Everything else goes to JGit untouched. Pinned commits
 * (no tag names them) are served here too, by their upstream id; no ref names them at all.
 */
final class UpstreamCommitRequest {
    private UpstreamCommitRequest() {
    }

    /** Writes the answer and returns true if the request names an upstream commit; false otherwise. */
    static boolean answer(GitService.Served served, Optional<FetchRequest> parsed, DerivedGit derived, OutputStream out)
            throws IOException {
        Map<String, GitIndex.Tag> upstreamOnly = served.index().tags().stream()
                .filter(t -> t.upstreamPack() != null && served.refs().containsKey(t.tag()))
                .collect(Collectors.toMap(GitIndex.Tag::upstreamCommit, Function.identity(), (a, b) -> a));
        // A pinned commit whose id a tag's commit also has is served as that tag's (the same objects).
        served.pinned().forEach(c -> upstreamOnly.putIfAbsent(c.upstreamCommit(), c));
        if (upstreamOnly.isEmpty()) {
            return false;
        }
        if (parsed.isEmpty()) {
            return false;
        }
        FetchRequest request = parsed.get();
        List<String> hits = request.wants().stream().filter(upstreamOnly::containsKey).toList();
        if (hits.isEmpty()) {
            return false;
        }
        GitIndex.Tag tag = upstreamOnly.get(hits.get(0));
        if (!request.v2() || !"fetch".equals(request.command()) || request.wants().size() != 1 || request.deepen() != 1) {
            boolean pinned = tag.pack() == null;
            out.write(PktLines.error("commit " + hits.get(0) + (pinned ? " is a pinned commit"
                    : " is upstream's commit of tag " + tag.tag()) + ", served without its history; fetch it alone with"
                    + " --depth 1 (protocol v2)" + (pinned ? "" : ", or use refs/tags/" + tag.tag() + " (" + tag.commit() + ")")));
            return true;
        }
        String pack = DerivedGit.upstreamPrefix(served.name()) + tag.upstreamPack();
        if (!request.done()) {
            // No "done": the client expects a negotiation round; we are ready at once (we send everything).
            PktLines.write(out, "acknowledgments\n");
            PktLines.write(out, "NAK\n");
            PktLines.write(out, "ready\n");
            PktLines.special(out, PktLines.DELIM);
        }
        PktLines.write(out, "shallow-info\n");
        PktLines.write(out, "shallow " + tag.upstreamCommit() + "\n");
        PktLines.special(out, PktLines.DELIM);
        PktLines.write(out, "packfile\n");
        // Only band-1 data packets and a final flush: Zig 0.15 loses sync on progress or keep-alive packets.
        byte[] buffer = new byte[PktLines.MAX_BAND_DATA];
        try (InputStream in = derived.storage().open(pack)) {
            int n;
            while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                PktLines.band1(out, buffer, 0, n);
            }
        }
        PktLines.special(out, PktLines.FLUSH);
        return true;
    }
}
