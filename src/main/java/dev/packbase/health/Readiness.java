package dev.packbase.health;

import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Whether this node can serve ({@code GET /readyz}): its state is loaded, its store answers, and a node that
 * writes can write there (a replaced probe object that reads back at its size). A read-only edge is never asked
 * to write. Each check runs when asked, nothing is cached, so the first check after a failure clears reports
 * ready again.
 */
public final class Readiness {
    /** The value of a check that passed. */
    public static final String OK = "ok";
    /** The value of the write check on a node that does not write. */
    public static final String NOT_ASKED = "not asked (read-only)";

    private final Storage storage;
    private final BooleanSupplier stateLoaded;
    private final Clock clock;

    /** One check's name. */
    public enum Check {
        STATE, STORAGE, WRITABLE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The answer: every check with {@link #OK}, {@link #NOT_ASKED} or what failed; ready when none failed. */
    public record Report(Map<Check, String> checks) {
        public Report {
            checks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(checks));
        }

        public boolean ready() {
            return failed().isEmpty();
        }

        /** The checks that failed, in order. */
        public List<Check> failed() {
            List<Check> failed = new ArrayList<>();
            checks.forEach((check, value) -> {
                if (!value.equals(OK) && !value.equals(NOT_ASKED)) {
                    failed.add(check);
                }
            });
            return failed;
        }
    }

    public Readiness(Storage storage, BooleanSupplier stateLoaded, Clock clock) {
        this.storage = storage;
        this.stateLoaded = stateLoaded;
        this.clock = clock;
    }

    public Report check() {
        Map<Check, String> checks = new LinkedHashMap<>();
        checks.put(Check.STATE, stateLoaded.getAsBoolean() ? OK : "the state is not loaded yet");
        try {
            storage.stat(StorageKeys.INFO_SNAPSHOT);
            checks.put(Check.STORAGE, OK);
        } catch (IOException | RuntimeException e) {
            checks.put(Check.STORAGE, "cannot reach " + storage.describe() + ": " + e.getMessage());
        }
        checks.put(Check.WRITABLE, storage.writable() ? writeProbe() : NOT_ASKED);
        return new Report(checks);
    }

    private String writeProbe() {
        byte[] body = (clock.instant().toString() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            storage.replace(StorageKeys.READY_PROBE, out -> out.write(body));
            long size = storage.stat(StorageKeys.READY_PROBE).map(Storage.ObjectInfo::size).orElse(-1L);
            return size == body.length ? OK : "the probe " + StorageKeys.READY_PROBE + " did not read back";
        } catch (IOException | RuntimeException e) {
            return "cannot write " + StorageKeys.READY_PROBE + " to " + storage.describe() + ": " + e.getMessage();
        }
    }
}
