package dev.packbase.ingest;

import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.git.DerivedGit;
import dev.packbase.git.GitService;
import dev.packbase.state.PackageState;
import java.io.IOException;

/**
 * The derive stage: brings a package's derived Git data (per-tag packs, history pack, index) up to
 * date with its record, building only what is missing, and makes the Git layer re-read it when it changed.
 */
public final class Deriver {
    /** The derived data after the stage, the tags it had to build, and how long that took. */
    public record Derived(DerivedGit.Ensured ensured, long nanos) {
    }

    private final PackageState state;
    private final DerivedGit derivedGit;
    private final GitService git;

    public Deriver(PackageState state, DerivedGit derivedGit, GitService git) {
        this.state = state;
        this.derivedGit = derivedGit;
        this.git = git;
    }

    public Derived derive(PackageName name, PackageRecord record) throws IOException {
        long started = System.nanoTime();
        DerivedGit.Ensured ensured = derivedGit.ensure(name, record.tags(), record.commits(),
                (kind, ref) -> state.manifest(name, kind, ref).orElseThrow(() -> new IOException("manifest of "
                        + kind.segment() + " " + ref + " is missing")));
        if (ensured.changed()) {
            git.invalidate(name);
        }
        return new Derived(ensured, System.nanoTime() - started);
    }
}
