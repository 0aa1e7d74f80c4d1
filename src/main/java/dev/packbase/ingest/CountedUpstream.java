package dev.packbase.ingest;

import dev.packbase.metrics.Metrics;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.lib.Repository;

/** An {@link Upstream} whose every request (the listing, each fetch) is counted by outcome in the metrics. */
final class CountedUpstream implements Upstream {
    private final Upstream upstream;
    private final Metrics metrics;

    CountedUpstream(Upstream upstream, Metrics metrics) {
        this.upstream = upstream;
        this.metrics = metrics;
    }

    @Override
    public String url() {
        return upstream.url();
    }

    @Override
    public List<UpstreamTag> listTags() {
        boolean ok = false;
        try {
            List<UpstreamTag> tags = upstream.listTags();
            ok = true;
            return tags;
        } finally {
            metrics.upstream(ok ? Metrics.Upstream.OK : Metrics.Upstream.FAILED);
        }
    }

    @Override
    public Repository fetch(List<UpstreamTag> tags, Path scratch) {
        boolean ok = false;
        try {
            Repository repository = upstream.fetch(tags, scratch);
            ok = true;
            return repository;
        } finally {
            metrics.upstream(ok ? Metrics.Upstream.OK : Metrics.Upstream.FAILED);
        }
    }
}
