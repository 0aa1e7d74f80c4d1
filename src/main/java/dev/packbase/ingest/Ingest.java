package dev.packbase.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.WorkPool;
import dev.packbase.config.Config;
import dev.packbase.git.DerivedGit;
import dev.packbase.git.GitService;
import dev.packbase.metrics.Metrics;
import dev.packbase.state.PackageState;
import dev.packbase.storage.Storage;
import java.time.Clock;

/**
 * The ingest side of the object graph, wired by hand in one place (the composition root and the
 * scale benchmark's generator both use it): the front ({@link FetchService}) and the derive, verify
 * and publish stages on their own ({@link Refresher}), sharing one set of package locks.
 */
public record Ingest(FetchService fetches, Refresher refresher) {

    public static Ingest wire(Config config, Storage storage, ScratchArea scratch, PackageState state,
            DerivedGit derivedGit, GitService git, ObjectMapper json, Clock clock, WorkPool work, Metrics metrics) {
        PackageLocks locks = new PackageLocks();
        Publisher publisher = new Publisher(state, storage);
        Refresher refresher = new Refresher(state, new Deriver(state, derivedGit, git), new Verifier(git, work),
                publisher, locks, clock);
        IngestPipeline pipeline = new IngestPipeline(state, new Fetcher(scratch, config.fetch().timeout()),
                new Materialiser(storage, state, json, config.ingest(), config.release(), work), publisher, refresher,
                clock);
        return new Ingest(new FetchService(config.fetch(), config.ingest().maxConcurrent(), state, pipeline, locks,
                metrics), refresher);
    }
}
