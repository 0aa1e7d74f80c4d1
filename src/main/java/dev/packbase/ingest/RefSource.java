package dev.packbase.ingest;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.CommitId;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.RefKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * The one ref a URL fragment names, as Zig writes it ({@code git+https://host/o/r#<tag>} or
 * {@code #<commit>}): the tag of that name, or the tags whose commit is that full id, or, when no tag
 * names that commit, the commit itself (a pinned commit, kept under {@code commit/<id>}). Everything
 * else the package holds is left as it is, skip entries of other tags included.
 */
public final class RefSource implements Source {
    private final Upstream upstream;
    private final String ref;

    public RefSource(Upstream upstream, String ref) {
        this.upstream = upstream;
        this.ref = UpstreamUrl.tagOrCommit(ref);
    }

    @Override
    public String url() {
        return upstream.url();
    }

    @Override
    public List<UpstreamTag> list() {
        List<UpstreamTag> all = upstream.listTags();
        boolean commit = CommitId.isFull(ref);
        List<UpstreamTag> named = all.stream().filter(t -> commit ? commitOf(t).equals(ref) : t.name().equals(ref)).toList();
        if (!named.isEmpty()) {
            return named;
        }
        if (commit) {
            // Whether upstream has it shows when it is fetched: a want of an unknown id is refused there.
            return List.of(UpstreamTag.commit(ObjectId.fromString(ref)));
        }
        if (CommitId.looksShort(ref)) {
            throw PackbaseException.badRequest("'" + ref + "' is no tag of " + url()
                    + " and looks like a short commit id: use the full 40-character commit id");
        }
        throw new PackbaseException(ErrorCode.NOT_FOUND, url() + " has no tag '" + ref
                + "' (branches are not mirrored): pin a tag or a full commit id", Map.of("ref", ref), null);
    }

    /** The commit a tag names: the peeled id when upstream advertised one (annotated tags), else the id itself. */
    private static String commitOf(UpstreamTag tag) {
        return (tag.peeled() != null ? tag.peeled() : tag.object()).name();
    }

    @Override
    public boolean pinned() {
        return true;
    }

    @Override
    public Plan plan(List<UpstreamTag> offered, Optional<PackageRecord> existing) {
        List<PackageRecord.SkippedTag> kept = existing.map(PackageRecord::skipped).orElse(List.of());
        if (offered.size() == 1 && offered.get(0).kind() == RefKind.COMMIT) {
            // A commit never moves: once it has a tarball there is nothing to do, ever.
            UpstreamTag pinned = offered.get(0);
            boolean present = existing.flatMap(r -> r.commit(pinned.name())).isPresent();
            return new Plan(present ? List.of() : offered, present ? 1 : 0, kept, List.of());
        }
        Plan plan = TagPlanner.plan(offered, existing);
        // The planner sees only the named ref; skip entries of the package's other tags must survive.
        Set<String> listed = offered.stream().map(UpstreamTag::name).collect(Collectors.toSet());
        List<PackageRecord.SkippedTag> skipped = new ArrayList<>(plan.skipped());
        existing.ifPresent(r -> r.skipped().stream().filter(s -> !listed.contains(s.tag())).forEach(skipped::add));
        return new Plan(plan.wanted(), plan.present(), skipped, plan.warnings());
    }

    @Override
    public Repository fetch(List<UpstreamTag> refs, Path scratch) {
        return upstream.fetch(refs, scratch);
    }
}
