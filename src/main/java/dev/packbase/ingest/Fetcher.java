package dev.packbase.ingest;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/**
 * The fetch stage. All planned refs go to upstream in one request first (one negotiation, one pack:
 * the fast path). When that request fails with {@code upstream_failed}, some refs may be ones
 * upstream cannot pack (a missing or corrupt object on its side) and the rest fine, so the refs are
 * retried in halves, recursively, down to single refs: every ref that can arrive does, and each
 * one that cannot is reported with upstream's reason. k bad refs among n cost at most about
 * 2·k·log2(n) extra requests. Other failures (a limit, a refused redirect) concern the whole upstream
 * and end the ingest as before. Splitting stops once the fetch time budget is spent: what is left is
 * reported failed with the last reason.
 */
public final class Fetcher {
    private static final Logger LOG = Logger.getLogger(Fetcher.class.getName());

    private final ScratchArea scratch;
    private final Duration budget;

    public Fetcher(ScratchArea scratch, Duration budget) {
        this.scratch = scratch;
        this.budget = budget;
    }

    /** Fetches {@code refs} (not empty); the caller closes the result. */
    public Fetched fetch(Source source, List<UpstreamTag> refs, String purpose) throws IOException {
        Fetched fetched = new Fetched(scratch);
        long started = System.nanoTime();
        try {
            fetch(source, refs, purpose, fetched, started);
        } catch (RuntimeException | IOException e) {
            fetched.close();
            throw e;
        }
        fetched.took(System.nanoTime() - started);
        return fetched;
    }

    private void fetch(Source source, List<UpstreamTag> refs, String purpose, Fetched into, long started)
            throws IOException {
        Path dir = scratch.create(purpose);
        PackbaseException failure;
        try {
            into.arrived(new Fetched.Batch(source.fetch(refs, dir), refs), dir);
            return;
        } catch (PackbaseException e) {
            scratch.delete(dir);
            if (e.code() != ErrorCode.UPSTREAM_FAILED) {
                throw e;
            }
            failure = e;
        } catch (RuntimeException e) {
            scratch.delete(dir);
            throw e;
        }
        String reason = UpstreamText.clean(failure.getMessage());
        boolean timeLeft = System.nanoTime() - started < budget.toNanos();
        if (refs.size() == 1 || !timeLeft) {
            refs.forEach(r -> into.failed(new FailedTag(r.name(), reason)));
            return;
        }
        LOG.info(() -> "fetching " + refs.size() + " tags of " + source.url() + " at once failed (" + reason
                + "); retrying in two halves");
        int half = refs.size() / 2;
        fetch(source, refs.subList(0, half), purpose, into, started);
        fetch(source, refs.subList(half, refs.size()), purpose, into, started);
    }
}
