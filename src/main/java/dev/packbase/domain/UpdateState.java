package dev.packbase.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The persisted state of {@code POST /api/update} ({@code .packbase/update-state.json}), reported by
 * {@code /api/status}. It survives restarts; a run that was interrupted by a crash is reported as
 * failed on the next start.
 *
 * @param state     {@code idle}, {@code running} or {@code failed}
 * @param startedAt Unix seconds of the last run's start (null before the first run)
 * @param updatedAt Unix seconds of the last run's end
 */
public record UpdateState(String state, Long startedAt, Long updatedAt, String error, int sourcePackages,
        Result lastResult) {

    public static UpdateState initial() {
        return new UpdateState("idle", null, null, null, 0, null);
    }

    /** What one run did (the 200 body of POST /api/update, CONTRACT §4). */
    public record Result(
            String status,
            int reposScanned,
            int packagesSynced,
            int tarballsCreated,
            int tarballsPresent,
            boolean sourceChanged,
            int sourcePackages,
            int sourceAdded,
            int sourceUpdated,
            int sourceRemoved,
            int packagesFresh,
            int packagesFailed,
            List<Failure> failures,
            long durationMillis) {

        public Result {
            failures = List.copyOf(failures);
        }
    }

    /** A package the run could not sync, with the error it got; the rest of the run went on. */
    public record Failure(@JsonProperty("package") String packageName, String status, String message) {
    }
}
