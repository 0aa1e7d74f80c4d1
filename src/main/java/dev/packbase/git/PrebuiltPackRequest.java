package dev.packbase.git;

import dev.packbase.domain.PackageName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers the fetch every Zig client and every {@code git clone --depth 1 --branch <tag>} sends, a
 * protocol-v2 {@code fetch} of one commit with {@code deepen 1}, by streaming the pack ingest built
 * for that commit: a served commit has no parents, so its tag's pack (the commit and its whole tree)
 * is the whole answer, and copying it costs the server almost nothing (no object walk, no new pack,
 * no checksum over the output).
 *
 * <p>Upstream commit ids (the host-swap case: a build.zig.zon that pinned
 * {@code git+https://github.com/o/r#<upstream sha>} keeps working when only the host becomes
 * packbase) are served only this way. They are kept out of JGit's repository entirely, because their
 * parents are not on this server and JGit would walk into them (notes/hybrid-identity.md); any other
 * request naming one gets a clean {@code ERR} saying how to fetch it. Pinned commits (no tag names
 * them) are such upstream ids too. Every other request goes to JGit untouched.
 */
final class PrebuiltPackRequest {
    private PrebuiltPackRequest() {
    }

    /**
     * A commit one stored pack answers whole.
     *
     * @param key      the pack's storage key
     * @param tag      its index entry (for a pinned commit, {@code tag} is the commit id)
     * @param upstream whether the commit is an upstream id (served only here) rather than a served commit
     */
    record Prebuilt(String key, GitIndex.Tag tag, boolean upstream) {
    }

    /** The commits of a package's view that a stored pack answers, by id. */
    static Map<String, Prebuilt> of(PackageName name, GitIndex index, Map<String, ?> refs, List<GitIndex.Tag> pinned) {
        Map<String, Prebuilt> byCommit = new HashMap<>();
        for (GitIndex.Tag t : index.tags()) {
            if (refs.containsKey(t.tag())) {
                byCommit.putIfAbsent(t.commit(), new Prebuilt(DerivedGit.packPrefix(name) + t.pack() + ".pack", t, false));
            }
        }
        for (GitIndex.Tag t : index.tags()) {
            if (t.upstreamPack() != null && refs.containsKey(t.tag())) {
                byCommit.putIfAbsent(t.upstreamCommit(), new Prebuilt(DerivedGit.upstreamPrefix(name) + t.upstreamPack(), t, true));
            }
        }
        // A pinned commit whose id a tag's commit also has is served as that tag's (the same objects).
        for (GitIndex.Tag c : pinned) {
            byCommit.putIfAbsent(c.upstreamCommit(), new Prebuilt(DerivedGit.upstreamPrefix(name) + c.upstreamPack(), c, true));
        }
        return Map.copyOf(byCommit);
    }

    /** Writes the answer and returns true if a stored pack answers the request or it names an upstream commit. */
    static boolean answer(GitService.Served served, Optional<FetchRequest> parsed, DerivedGit derived, OutputStream out)
            throws IOException {
        if (parsed.isEmpty() || served.prebuilt().isEmpty()) {
            return false;
        }
        FetchRequest request = parsed.get();
        boolean depthOne = request.v2() && "fetch".equals(request.command()) && request.wants().size() == 1
                && request.deepen() == 1;
        if (depthOne) {
            Prebuilt one = served.prebuilt().get(request.wants().get(0));
            // A served commit's pack is the answer only for a client that has nothing yet; one that sent
            // haves, shallows or a filter gets JGit's answer to exactly that.
            if (one != null && (one.upstream() || request.fromNothing())) {
                stream(one, request.done(), derived, out);
                return true;
            }
        }
        Optional<Prebuilt> upstream = request.wants().stream().map(served.prebuilt()::get)
                .filter(p -> p != null && p.upstream()).findFirst();
        if (upstream.isEmpty()) {
            return false;
        }
        GitIndex.Tag tag = upstream.get().tag();
        boolean pinned = tag.pack() == null;
        out.write(PktLines.error("commit " + tag.upstreamCommit() + (pinned ? " is a pinned commit"
                : " is upstream's commit of tag " + tag.tag()) + ", served without its history; fetch it alone with"
                + " --depth 1 (protocol v2)" + (pinned ? "" : ", or use refs/tags/" + tag.tag() + " (" + tag.commit() + ")")));
        return true;
    }

    private static void stream(Prebuilt pack, boolean done, DerivedGit derived, OutputStream out) throws IOException {
        if (!done) {
            // No "done": the client expects a negotiation round; we are ready at once (we send everything).
            PktLines.write(out, "acknowledgments\n");
            PktLines.write(out, "NAK\n");
            PktLines.write(out, "ready\n");
            PktLines.special(out, PktLines.DELIM);
        }
        // As JGit answers "deepen 1": the wanted commit is the shallow boundary, even one without parents.
        PktLines.write(out, "shallow-info\n");
        PktLines.write(out, "shallow " + (pack.upstream() ? pack.tag().upstreamCommit() : pack.tag().commit()) + "\n");
        PktLines.special(out, PktLines.DELIM);
        PktLines.write(out, "packfile\n");
        // Only band-1 data packets and a final flush: Zig 0.15 loses sync on progress or keep-alive packets.
        // Each packet is read behind room for its header and leaves in one write.
        byte[] packet = new byte[PktLines.BAND_HEADER + PktLines.MAX_BAND_DATA];
        try (InputStream in = derived.storage().open(pack.key())) {
            int n;
            while ((n = in.readNBytes(packet, PktLines.BAND_HEADER, PktLines.MAX_BAND_DATA)) > 0) {
                PktLines.band1Header(packet, n);
                out.write(packet, 0, PktLines.BAND_HEADER + n);
            }
        }
        PktLines.special(out, PktLines.FLUSH);
    }
}
