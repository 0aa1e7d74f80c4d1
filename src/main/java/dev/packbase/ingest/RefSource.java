package dev.packbase.ingest;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jgit.lib.Repository;

/**
 * The one ref a URL fragment names, as Zig writes it ({@code git+https://host/o/r#<tag>} or
 * {@code #<commit>}): the tag of that name, or the tags whose commit is that full id. Everything else
 * the package holds is left as it is, skip entries of other tags included.
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
        boolean commit = UpstreamUrl.isFullCommitId(ref);
        List<UpstreamTag> named = all.stream().filter(t -> commit ? commitOf(t).equals(ref) : t.name().equals(ref)).toList();
        if (!named.isEmpty()) {
            return named;
        }
        if (commit) {
            throw new PackbaseException(ErrorCode.NOT_FOUND, "no tag of " + url() + " names commit " + ref
                    + "; packbase mirrors tagged commits only for now: pin a tag", Map.of("ref", ref), null);
        }
        if (UpstreamUrl.looksLikeShortCommitId(ref)) {
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
    public Plan plan(List<UpstreamTag> offered, Optional<PackageRecord> existing) {
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
