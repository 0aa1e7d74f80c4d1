package dev.packbase.ingest;

import dev.packbase.domain.PackageRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.Repository;

/** Every tag of an upstream Git repository ({@link GitUpstream}, the seed, or a test's scripted one). */
public final class TagSource implements Source {
    private final Upstream upstream;

    public TagSource(Upstream upstream) {
        this.upstream = upstream;
    }

    @Override
    public String url() {
        return upstream.url();
    }

    @Override
    public List<UpstreamTag> list() {
        return upstream.listTags();
    }

    @Override
    public Plan plan(List<UpstreamTag> offered, Optional<PackageRecord> existing) {
        return TagPlanner.plan(offered, existing);
    }

    @Override
    public Repository fetch(List<UpstreamTag> refs, Path scratch) {
        return upstream.fetch(refs, scratch);
    }
}
