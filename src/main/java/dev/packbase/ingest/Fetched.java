package dev.packbase.ingest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.lib.Repository;

/**
 * What the fetch stage delivered: the batches that arrived (each a repository holding the objects of
 * its tags) and the tags that did not. Closing it closes the repositories and deletes their scratch
 * directories.
 */
public final class Fetched implements AutoCloseable {
    /** One successful upstream request: its tags can be read from {@code repository}. */
    public record Batch(Repository repository, List<UpstreamTag> tags) {
    }

    private final ScratchArea scratch;
    private final List<Batch> batches = new ArrayList<>();
    private final List<Path> directories = new ArrayList<>();
    private final List<FailedTag> failed = new ArrayList<>();
    private long nanos;

    Fetched(ScratchArea scratch) {
        this.scratch = scratch;
    }

    static Fetched nothing() {
        return new Fetched(null);
    }

    void arrived(Batch batch, Path directory) {
        batches.add(batch);
        directories.add(directory);
    }

    void failed(FailedTag tag) {
        failed.add(tag);
    }

    void took(long nanos) {
        this.nanos = nanos;
    }

    public List<Batch> batches() {
        return List.copyOf(batches);
    }

    /** Tags no request could deliver, in the order they were given up on. */
    public List<FailedTag> failed() {
        return List.copyOf(failed);
    }

    public long nanos() {
        return nanos;
    }

    @Override
    public void close() {
        batches.forEach(b -> b.repository().close());
        directories.forEach(scratch::delete);
    }
}
