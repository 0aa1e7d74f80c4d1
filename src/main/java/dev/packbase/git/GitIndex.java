package dev.packbase.git;

import java.util.List;
import java.util.Optional;

/**
 * What the derived Git data of one package holds ({@code .packbase/git/<pkg>/index.json}): per tag,
 * the served commit, the pack that contains it, and, when the upstream commit differs from the
 * served one, the separate pack that serves the upstream commit by id; and the package's history pack
 * (every tag's objects with deltas across tags, for full clones). Rebuildable at any time from the
 * tarballs and manifests.
 *
 * @param historyPack {@code pack-<40 hex>} under {@code history/}, or null (fewer than two distinct
 *                    commits, or an index written before history packs existed)
 * @param commits     the pinned commits: each served only by its upstream id, from its upstream pack
 *                    ({@code tag} is that id, {@code pack} null); no ref names them and the history
 *                    pack leaves them out
 */
public record GitIndex(int format, String packageName, List<Tag> tags, String historyPack, List<Tag> commits) {
    public static final int FORMAT = 1;

    public GitIndex {
        tags = List.copyOf(tags);
        // Indexes written before pinned commits were mirrored have none.
        commits = commits == null ? List.of() : List.copyOf(commits);
    }

    /**
     * @param commit         the parentless commit packbase serves for the tag
     * @param pack           its pack, {@code pack-<40 hex>} (the name dumb HTTP clients require); null for a
     *                       pinned commit
     * @param upstreamPack   file name of the upstream commit's pack, or null when it equals {@code commit}
     *                       (a pinned commit always has one)
     */
    public record Tag(String tag, String commit, String tree, String upstreamCommit, String pack, String upstreamPack) {
    }

    public Optional<Tag> tag(String name) {
        return tags.stream().filter(t -> t.tag().equals(name)).findFirst();
    }

    public Optional<Tag> byUpstreamCommit(String id) {
        return tags.stream().filter(t -> t.upstreamPack() != null && t.upstreamCommit().equals(id)).findFirst();
    }
}
