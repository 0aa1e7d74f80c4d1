package dev.packbase.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.Json;
import dev.packbase.domain.UpdateState;
import dev.packbase.storage.MemoryStorage;
import dev.packbase.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The claim on an update run shared by nodes on one store: one run at a time, a lease for lost nodes. */
class UpdateRunsTest {
    private static final ObjectMapper JSON = Json.newMapper();
    private final MemoryStorage storage = new MemoryStorage();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T12:00:00Z"));

    private UpdateRuns node(String name, boolean soleWriter) {
        return new UpdateRuns(storage, JSON, clock, name, soleWriter);
    }

    private static long now(MutableClock clock) {
        return clock.instant().getEpochSecond();
    }

    @Test
    void oneOfTwoNodesClaimingFromTheSameStateWins() throws Exception {
        UpdateRuns a = node("a", false);
        UpdateRuns b = node("b", false);
        UpdateRuns.Current seenByA = a.read();
        UpdateRuns.Current seenByB = b.read();
        assertTrue(a.replace(seenByA, seenByA.state().startedBy("a", now(clock))));
        assertFalse(b.replace(seenByB, seenByB.state().startedBy("b", now(clock))));
        UpdateState stored = b.read().state();
        assertTrue(stored.running());
        assertEquals("a", stored.node());
    }

    @Test
    void aRunWithAFreshHeartbeatIsRunningEverywhereAndOneWithoutLosesItsClaim() throws Exception {
        UpdateRuns a = node("a", false);
        UpdateRuns.Current initial = a.read();
        long started = now(clock);
        assertTrue(a.replace(initial, initial.state().startedBy("a", started)));

        clock.advance(UpdateRuns.LEASE.minusSeconds(10));
        assertTrue(node("b", false).read().state().running(), "inside the lease");
        assertTrue(a.changeOwnRun(started, s -> s.beating(now(clock))));
        clock.advance(UpdateRuns.LEASE.minusSeconds(10));
        assertTrue(node("b", false).read().state().running(), "the heartbeat renewed the lease");

        clock.advance(UpdateRuns.LEASE.plusSeconds(1));
        UpdateRuns b = node("b", false);
        UpdateRuns.Current lost = b.read();
        assertTrue(lost.lost());
        assertEquals("failed", lost.state().state());
        assertTrue(lost.state().error().contains("interrupted"));

        // b takes the next run over; a's late end then changes nothing.
        assertTrue(b.replace(lost, lost.state().startedBy("b", now(clock))));
        UpdateState.Result result = new UpdateState.Result("ok", 0, 0, 0, 0, false, 0, 0, 0, 0, 0, 0, List.of(), 1);
        assertFalse(a.changeOwnRun(started, s -> s.finished(result, now(clock))));
        assertEquals("b", b.read().state().node());
        assertTrue(b.read().state().running());
    }

    @Test
    void aLateHeartbeatThatNobodyTookOverStillEndsItsOwnRun() throws Exception {
        UpdateRuns a = node("a", false);
        UpdateRuns.Current initial = a.read();
        long started = now(clock);
        assertTrue(a.replace(initial, initial.state().startedBy("a", started)));
        clock.advance(UpdateRuns.LEASE.multipliedBy(2));
        UpdateState.Result result = new UpdateState.Result("ok", 3, 1, 2, 0, false, 0, 0, 0, 0, 2, 0, List.of(), 1);
        assertTrue(a.changeOwnRun(started, s -> s.finished(result, now(clock))));
        UpdateState ended = a.read().state();
        assertEquals("idle", ended.state());
        assertEquals(now(clock), ended.updatedAt());
        assertEquals(1, ended.lastResult().packagesSynced());
    }

    @Test
    void onAFileRootTheOnlyWriterKnowsThatAnotherNodesRunWasCutShort() throws Exception {
        UpdateRuns before = node("old", true);
        UpdateRuns.Current initial = before.read();
        assertTrue(before.replace(initial, initial.state().startedBy("old", now(clock))));
        clock.advance(Duration.ofSeconds(1));
        assertTrue(node("new", true).read().lost(), "a restarted sole writer does not wait for the lease");
        assertFalse(node("old", true).read().lost(), "its own run is not lost");
        assertFalse(node("edge", false).read().lost(), "a reader waits for the lease");
    }
}
