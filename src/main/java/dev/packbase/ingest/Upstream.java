package dev.packbase.ingest;

import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.lib.Repository;

/**
 * Where a package's tags come from: a remote Git repository ({@link GitUpstream}) or the built-in
 * seed ({@link SeedUpstream}). Failures are {@code PackbaseException}s with code upstream_failed.
 */
public interface Upstream {

    /** The URL recorded for the package. */
    String url();

    List<UpstreamTag> listTags();

    /**
     * Makes the objects of the given tags (their commits and trees, not their history) readable in a
     * repository, using {@code scratch} as working space. The caller closes the repository and
     * deletes the scratch directory.
     */
    Repository fetch(List<UpstreamTag> tags, Path scratch);
}
