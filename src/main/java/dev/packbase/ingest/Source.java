package dev.packbase.ingest;

import dev.packbase.domain.PackageRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.Repository;

/**
 * What one ingest reads into a package, and its rule for what needs work. Every kind of source goes
 * through the same stages ({@link IngestPipeline}): it lists what it offers, plans (a pure function of
 * that listing and the package's record), and fetches the planned refs into a repository that the
 * materialise stage reads. {@link TagSource} takes every tag of a Git repository, {@link RefSource} the
 * tags or the untagged commit one URL fragment names; a plain tarball URL is another implementation with
 * its own listing and plan (a tarball source fetches by importing the archive into an in-memory repository).
 */
public interface Source {

    /** The URL recorded for the package and in each manifest. */
    String url();

    /**
     * Whether the caller asked for exactly what {@link #list} offers (a pinned ref): then the ingest
     * fails unless that lands, even when the package holds other versions.
     */
    default boolean pinned() {
        return false;
    }

    /** What upstream offers now; may do network traffic. An empty listing is {@code no_tags}. */
    List<UpstreamTag> list();

    /** Which offered refs need work given what the package already holds. Pure: no I/O. */
    Plan plan(List<UpstreamTag> offered, Optional<PackageRecord> existing);

    /**
     * Makes the objects of {@code refs} readable, using {@code scratch} as working space; one call is
     * one upstream request (a batch). Failures are {@code PackbaseException}s; {@code upstream_failed}
     * ones may be retried with fewer refs ({@link Fetcher}).
     */
    Repository fetch(List<UpstreamTag> refs, Path scratch);
}
