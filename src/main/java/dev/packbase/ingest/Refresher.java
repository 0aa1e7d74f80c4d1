package dev.packbase.ingest;

import dev.packbase.domain.GitStatus;
import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.state.PackageState;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The last three stages (derive, verify, publish) on their own, for a package that nothing new was
 * ingested into: after every ingest, for packages whose derived data the startup check found
 * incomplete, and for update and reindex, which compute infos and publish them all at once.
 */
public final class Refresher {
    private static final Logger LOG = Logger.getLogger(Refresher.class.getName());

    private final PackageState state;
    private final Deriver deriver;
    private final Verifier verifier;
    private final Publisher publisher;
    private final PackageLocks locks;
    private final Clock clock;

    public Refresher(PackageState state, Deriver deriver, Verifier verifier, Publisher publisher, PackageLocks locks,
            Clock clock) {
        this.state = state;
        this.deriver = deriver;
        this.verifier = verifier;
        this.publisher = publisher;
        this.locks = locks;
        this.clock = clock;
    }

    /** Rebuilds missing derived Git data of a package, re-checks it and publishes its info. */
    public void refresh(PackageName name) {
        locks.with(name, () -> {
            try {
                Optional<PackageRecord> record = state.find(name);
                if (record.isPresent()) {
                    publisher.publish(info(name, record.get(), true, clock.instant().getEpochSecond()));
                }
            } catch (IOException e) {
                LOG.warning(() -> "could not refresh " + name + ": " + e.getMessage());
            }
            return null;
        });
    }

    /**
     * The info snapshot of a package, not published. With {@code recheckGit}, derived Git data is
     * rebuilt where needed and the Git self-check runs; otherwise the last check's outcome is kept
     * (nothing that it depends on changed). A failure to build derived data is the package's problem,
     * reported in its info, not the caller's.
     */
    public PackageInfo info(PackageName name, PackageRecord record, boolean recheckGit, long now) throws IOException {
        Optional<PackageInfo> previous = publisher.published(name);
        GitStatus status;
        if (!recheckGit && previous.isPresent()) {
            status = new GitStatus(previous.get().smartHttpReady(), previous.get().pseudoGitFetchable(),
                    previous.get().gitProblems());
        } else {
            try {
                Deriver.Derived derived = deriver.derive(name, record);
                long checking = System.nanoTime();
                status = verifier.verify(name, derived, previous);
                if (!derived.ensured().built().isEmpty()) {
                    long buildMs = derived.nanos() / 1_000_000;
                    long checkMs = (System.nanoTime() - checking) / 1_000_000;
                    LOG.info(() -> "Git data of " + name + ": " + derived.ensured().built().size()
                            + " tag(s) built and history pack in " + buildMs + " ms, self-check " + checkMs + " ms");
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "derived Git data of " + name + " could not be built", e);
                status = GitStatus.failed("derived Git data could not be built: " + e.getMessage());
            }
        }
        return publisher.info(record, status, now);
    }
}
