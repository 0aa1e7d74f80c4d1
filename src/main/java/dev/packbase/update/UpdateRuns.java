package dev.packbase.update;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.domain.UpdateState;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * The stored record of update runs ({@code update-state.json}), shared by every node on a root or bucket:
 * a run is claimed, kept alive and ended by conditional writes, so one run goes on at a time across all
 * nodes. The claim is a lease: the running node renews its heartbeat, and a run whose heartbeat is older
 * than {@link #LEASE} has lost its node (killed, cut off) and no longer blocks the next run.
 */
final class UpdateRuns {
    private static final Logger LOG = Logger.getLogger(UpdateRuns.class.getName());

    /** How long a run stays claimed without a heartbeat; the running node beats every quarter of it. */
    static final Duration LEASE = Duration.ofSeconds(60);

    private final Storage storage;
    private final ObjectMapper json;
    private final Clock clock;
    private final String node;
    private final boolean soleWriter;

    /**
     * @param node       this node's name in the record
     * @param soleWriter this node is the root's only writing process (a file root): any run another node
     *                   left as running was cut short, whatever its heartbeat says
     */
    UpdateRuns(Storage storage, ObjectMapper json, Clock clock, String node, boolean soleWriter) {
        this.storage = storage;
        this.json = json;
        this.clock = clock;
        this.node = node;
        this.soleWriter = soleWriter;
    }

    /**
     * The stored state and its version (null when nothing is stored); a run that lost its node is shown
     * as interrupted, with {@code lost} set.
     */
    record Current(UpdateState state, String version, boolean lost) {
    }

    Current read() throws IOException {
        Current stored = stored();
        return lost(stored.state()) ? new Current(stored.state().interrupted(), stored.version(), true) : stored;
    }

    private Current stored() throws IOException {
        Optional<Storage.Versioned> stored = storage.readVersioned(StorageKeys.UPDATE_STATE);
        if (stored.isEmpty()) {
            return new Current(UpdateState.initial(), null, false);
        }
        UpdateState state;
        try {
            state = json.readValue(stored.get().bytes(), UpdateState.class);
        } catch (IOException e) {
            LOG.warning(() -> "ignoring unreadable " + StorageKeys.UPDATE_STATE + ": " + e.getMessage());
            state = UpdateState.initial();
        }
        return new Current(state, stored.get().version(), false);
    }

    private boolean lost(UpdateState state) {
        if (!state.running()) {
            return false;
        }
        if (soleWriter && !node.equals(state.node())) {
            return true;
        }
        long now = clock.instant().getEpochSecond();
        return state.heartbeatAt() == null || now - state.heartbeatAt() > LEASE.toSeconds();
    }

    /** Writes {@code next} if the stored state is still the one read as {@code current}. */
    boolean replace(Current current, UpdateState next) throws IOException {
        return storage.replaceIf(StorageKeys.UPDATE_STATE, current.version(), out -> json.writeValue(out, next));
    }

    /**
     * Changes this node's run started at {@code startedAt}, if it is still this node's: false when another
     * node took the run over after the lease ran out (then nothing is written). A run that is late with its
     * heartbeat but was not taken over is still its own.
     */
    boolean changeOwnRun(long startedAt, UnaryOperator<UpdateState> change) throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            Current current = stored();
            UpdateState stored = current.state();
            if (!stored.running() || !node.equals(stored.node()) || stored.startedAt() == null
                    || stored.startedAt() != startedAt) {
                return false;
            }
            if (replace(current, change.apply(stored))) {
                return true;
            }
        }
        return false;
    }

    String node() {
        return node;
    }
}
