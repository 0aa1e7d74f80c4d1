package dev.packbase.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The persisted state of {@code POST /api/update} ({@code .packbase/update-state.json}), reported by
 * {@code /api/status}. It survives restarts; a run whose node stopped is reported as failed (interrupted).
 *
 * @param state       {@code idle}, {@code running} or {@code failed}
 * @param startedAt   Unix seconds of the last run's start (null before the first run)
 * @param updatedAt   Unix seconds of the last run's end
 * @param node        the node that runs or ran the last run ({@code pid@host})
 * @param heartbeatAt Unix seconds of the running node's last sign of life; a run whose heartbeat is older
 *                    than the lease has lost its node
 */
public record UpdateState(String state, Long startedAt, Long updatedAt, String error, int sourcePackages,
        Result lastResult, String node, Long heartbeatAt) {

    public static UpdateState initial() {
        return new UpdateState("idle", null, null, null, 0, null, null, null);
    }

    public boolean running() {
        return "running".equals(state);
    }

    /** A run that {@code node} starts at {@code now}, keeping what the last run reported. */
    public UpdateState startedBy(String runner, long now) {
        return new UpdateState("running", now, updatedAt, null, sourcePackages, lastResult, runner, now);
    }

    public UpdateState beating(long now) {
        return new UpdateState(state, startedAt, updatedAt, error, sourcePackages, lastResult, node, now);
    }

    /** The run ended with {@code result}. */
    public UpdateState finished(Result result, long now) {
        return new UpdateState("idle", startedAt, now, null, result.sourcePackages(), result, node, null);
    }

    /** The run ended with an error before it had a result. */
    public UpdateState failed(String message, long now) {
        return new UpdateState("failed", startedAt, now, message, sourcePackages, lastResult, node, null);
    }

    /** The run's node stopped during it: reported as failed, ended when it started (its end is unknown). */
    public UpdateState interrupted() {
        return new UpdateState("failed", startedAt, startedAt, "interrupted: the node stopped during the run",
                sourcePackages, lastResult, node, null);
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
