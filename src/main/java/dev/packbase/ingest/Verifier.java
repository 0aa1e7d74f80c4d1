package dev.packbase.ingest;

import dev.packbase.WorkPool;
import dev.packbase.domain.GitStatus;
import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.PackageName;
import dev.packbase.git.FetchabilityCheck;
import dev.packbase.git.GitService;
import java.util.Optional;

/**
 * The verify stage: the Git self-check ({@link FetchabilityCheck}) of what the derive stage left,
 * through the same Git layer that serves clients. Tags that passed an earlier check and were not
 * rebuilt need no second fetch.
 */
public final class Verifier {
    private final GitService git;
    private final WorkPool work;

    public Verifier(GitService git, WorkPool work) {
        this.git = git;
        this.work = work;
    }

    public GitStatus verify(PackageName name, Deriver.Derived derived, Optional<PackageInfo> previous) {
        boolean earlierPassed = previous.isPresent() && previous.get().pseudoGitFetchable();
        return FetchabilityCheck.run(git, name, earlierPassed ? derived.ensured().built() : null, work);
    }
}
