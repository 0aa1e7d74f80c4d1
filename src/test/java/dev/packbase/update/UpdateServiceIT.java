package dev.packbase.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.ErrorCode;
import dev.packbase.Packbase;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.UpdateState;
import dev.packbase.testing.CatalogServer;
import dev.packbase.testing.Fixtures;
import dev.packbase.testing.GitHttpBackend;
import dev.packbase.testing.MutableClock;
import dev.packbase.testing.TestConfigs;
import dev.packbase.testing.UpstreamRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POST /api/update against a real catalog (loopback HTTP and file:) and real upstreams: catalog diffs
 * across versions, TTL freshness with a controlled clock, cooldown, single flight, failure isolation,
 * fixture repositories and state that survives restarts.
 */
class UpdateServiceIT {
    @TempDir
    Path upstreamRoot;
    @TempDir
    Path scratch;
    @TempDir
    Path root;

    private GitHttpBackend backend;
    private CatalogServer catalog;
    private UpstreamRepo alpha;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));

    @BeforeEach
    void start() throws Exception {
        alpha = Fixtures.richRepo(upstreamRoot, "alpha", scratch);
        Fixtures.richRepo(upstreamRoot, "beta", scratch);
        Fixtures.richRepo(upstreamRoot, "gamma", scratch);
        backend = GitHttpBackend.start(upstreamRoot);
        catalog = new CatalogServer();
    }

    @AfterEach
    void stop() {
        catalog.close();
        backend.close();
    }

    private Packbase packbase(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("packbase.seed", "false", "packbase.source",
                catalog.uri().toString(), "packbase.update.ttl.seconds", "3600", "packbase.update.cooldown.seconds", "60"));
        settings.putAll(extra);
        return Packbase.start(TestConfigs.config(root, settings), clock);
    }

    private String entry(String name, String repo) {
        return "{\"name\":\"" + name + "\",\"url\":\"git+" + backend.url(repo) + "\"}";
    }

    private void catalogOf(String... entries) {
        catalog.set("{\"packages\":[" + String.join(",", entries) + "]}");
    }

    @Test
    void catalogDiffsAcrossThreeVersionsAndRegisteredPackages() throws Exception {
        Packbase pb = packbase(Map.of());
        catalogOf(entry("alpha", "alpha"), entry("beta", "beta"));
        UpdateState.Result first = pb.update().update();
        assertEquals(List.of(2, 0, 0, 2), List.of(first.sourceAdded(), first.sourceUpdated(), first.sourceRemoved(),
                first.sourcePackages()));
        assertTrue(first.sourceChanged());
        assertEquals(2, first.packagesSynced());
        assertEquals(6, first.tarballsCreated());
        assertEquals(List.of("alpha", "beta"), pb.registry().localNames());
        assertEquals(List.of("alpha", "beta"), List.copyOf(pb.registry().registeredNames()));

        clock.advance(Duration.ofMinutes(2));
        catalogOf(entry("alpha", "alpha"), entry("beta", "gamma"), entry("gamma", "gamma"));
        UpdateState.Result second = pb.update().update();
        assertEquals(List.of(1, 1, 0, 3), List.of(second.sourceAdded(), second.sourceUpdated(), second.sourceRemoved(),
                second.sourcePackages()));
        // beta's URL changed: the name stays bound to its first upstream, and that is reported on beta only.
        assertEquals(1, second.packagesFailed());
        assertEquals("beta", second.failures().get(0).packageName());
        assertEquals("conflict", second.failures().get(0).status());
        assertTrue(Files.exists(root.resolve(".packbase/source/previous.json")));

        clock.advance(Duration.ofMinutes(2));
        catalogOf(entry("gamma", "gamma"));
        UpdateState.Result third = pb.update().update();
        assertEquals(List.of(0, 0, 2, 1), List.of(third.sourceAdded(), third.sourceUpdated(), third.sourceRemoved(),
                third.sourcePackages()));
        assertEquals(List.of("gamma"), List.copyOf(pb.registry().registeredNames()));
        assertEquals(List.of("alpha", "beta", "gamma"), pb.registry().localNames(), "unregistering deletes nothing");
        PackageInfo alphaInfo = pb.registry().info("alpha").orElseThrow();
        assertFalse(alphaInfo.registered());
        assertTrue(alphaInfo.local());
        assertTrue(pb.registry().info("gamma").orElseThrow().registered());

        clock.advance(Duration.ofMinutes(2));
        UpdateState.Result same = pb.update().update();
        assertFalse(same.sourceChanged());
    }

    @Test
    void freshPackagesAreNotRecheckedUntilTheirTtlExpires() throws Exception {
        Packbase pb = packbase(Map.of());
        catalogOf(entry("alpha", "alpha"));
        pb.update().update();
        int requests = backend.requestCount();

        clock.advance(Duration.ofMinutes(30));
        alpha.lightweightTag("v3.0.0", alpha.commit("three", Fixtures.T2 + 10)).publish();
        UpdateState.Result fresh = pb.update().update();
        assertEquals(1, fresh.packagesFresh());
        assertEquals(0, fresh.tarballsCreated());
        assertEquals(requests, backend.requestCount(), "a fresh package causes no upstream traffic");

        clock.advance(Duration.ofMinutes(31));
        UpdateState.Result stale = pb.update().update();
        assertEquals(1, stale.packagesSynced());
        assertEquals(1, stale.tarballsCreated());
        assertTrue(Files.exists(root.resolve("p/alpha/tag/v3.0.0.tar.gz")));
    }

    @Test
    void cooldownRefusesWithTheLastResult() throws Exception {
        Packbase pb = packbase(Map.of());
        catalogOf(entry("alpha", "alpha"));
        pb.update().update();
        clock.advance(Duration.ofSeconds(20));
        PackbaseException e = assertThrows(PackbaseException.class, () -> pb.update().update());
        assertEquals(ErrorCode.COOLDOWN, e.code());
        assertEquals(40L, ((Number) e.details().get("retry_after")).longValue());
        assertEquals(1, ((UpdateState) e.details().get("update")).lastResult().packagesSynced());
        clock.advance(Duration.ofSeconds(41));
        assertEquals("ok", pb.update().update().status());
    }

    @Test
    void aCallDuringARunNeverStartsASecondRun() throws Exception {
        Packbase pb = packbase(Map.of());
        catalogOf(entry("alpha", "alpha"));
        catalog.hold();
        Thread runner = new Thread(() -> pb.update().update());
        runner.start();
        catalog.awaitHeld();
        assertEquals("running", pb.update().state().state());
        for (int i = 0; i < 5; i++) {
            PackbaseException busy = assertThrows(PackbaseException.class, () -> pb.update().update());
            assertEquals(ErrorCode.BUSY, busy.code());
        }
        catalog.release();
        runner.join(60_000);
        assertEquals(1, catalog.requests(), "exactly one run downloaded the catalog");
        assertEquals("idle", pb.update().state().state());
    }

    @Test
    void oneBrokenPackageIsReportedAndTheRestSyncs() throws Exception {
        Packbase pb = packbase(Map.of());
        catalogOf(entry("alpha", "alpha"), entry("vanished", "vanished"), entry("beta", "beta"));
        UpdateState.Result r = pb.update().update();
        assertEquals(2, r.packagesSynced());
        assertEquals(1, r.packagesFailed());
        assertEquals("vanished", r.failures().get(0).packageName());
        assertEquals("upstream_failed", r.failures().get(0).status());
        PackageInfo vanished = pb.registry().info("vanished").orElseThrow();
        assertFalse(vanished.available());
        assertTrue(vanished.registered());
        assertTrue(vanished.problems().get(0).contains("vanished"), vanished.problems().toString());
        assertTrue(pb.registry().info("alpha").orElseThrow().healthy());
    }

    @Test
    void anUpstreamThatDisappearsIsReportedAndItsTarballsStay() throws Exception {
        Packbase pb = packbase(Map.of());
        catalogOf(entry("alpha", "alpha"), entry("beta", "beta"));
        pb.update().update();
        byte[] before = Files.readAllBytes(root.resolve("p/alpha/tag/v1.0.0.tar.gz"));
        Trees.deleteTree(upstreamRoot.resolve("alpha.git"));

        clock.advance(Duration.ofHours(2));
        UpdateState.Result r = pb.update().update();
        assertEquals(1, r.packagesSynced(), "beta still syncs");
        assertEquals(1, r.packagesFailed());
        assertEquals("alpha", r.failures().get(0).packageName());
        assertEquals("upstream_failed", r.failures().get(0).status());
        assertEquals(List.of("alpha", "beta"), pb.registry().localNames());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(root.resolve("p/alpha/tag/v1.0.0.tar.gz"))));
        PackageInfo alphaInfo = pb.registry().info("alpha").orElseThrow();
        assertTrue(alphaInfo.available());
        assertTrue(alphaInfo.problems().stream().anyMatch(p -> p.startsWith("last update failed")), alphaInfo.problems().toString());
    }

    /** Recursive delete for the test above. */
    static final class Trees {
        static void deleteTree(Path dir) throws Exception {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void fixtureRepositoriesUnderTheRootAreImportedAndStateSurvivesRestarts() throws Exception {
        UpstreamRepo.create(Files.createDirectories(root.resolve("git")), "fixture", scratch);
        UpstreamRepo fixture = UpstreamRepo.create(Files.createDirectories(scratch.resolve("tmp")), "fx", scratch);
        fixture.write("a.txt", "a");
        fixture.lightweightTag("v0.1.0", fixture.commit("a", Fixtures.T1));
        fixture.git("push", "-q", "--mirror", root.resolve("git/fixture.git").toString());
        Packbase pb = Packbase.start(TestConfigs.config(root, Map.of("packbase.seed", "false")), clock);
        UpdateState.Result r = pb.update().update();
        assertEquals(1, r.reposScanned());
        assertEquals(1, r.packagesSynced());
        assertTrue(Files.exists(root.resolve("p/fixture/tag/v0.1.0.tar.gz")));

        Packbase restarted = Packbase.start(TestConfigs.config(root, Map.of("packbase.seed", "false")), clock);
        UpdateState state = restarted.update().state();
        assertEquals("idle", state.state());
        assertEquals(clock.instant().getEpochSecond(), state.updatedAt());
        assertEquals(1, state.lastResult().packagesSynced());
    }

    @Test
    void aRunInterruptedByACrashIsReportedAsFailedAfterRestart() throws Exception {
        Files.createDirectories(root.resolve(".packbase"));
        Files.writeString(root.resolve(".packbase/update-state.json"),
                "{\"state\":\"running\",\"started_at\":1,\"source_packages\":0}");
        Packbase pb = Packbase.start(TestConfigs.config(root, Map.of("packbase.seed", "false")), clock);
        assertEquals("failed", pb.update().state().state());
        assertTrue(pb.update().state().error().contains("interrupted"));
    }

    @Test
    void aCatalogFromAFileAndInvalidCatalogsFailTheRunCleanly() throws Exception {
        Path file = scratch.resolve("catalog.json");
        Files.writeString(file, "{\"packages\":[" + entry("alpha", "alpha") + "]}");
        Packbase pb = Packbase.start(TestConfigs.config(root, Map.of("packbase.seed", "false",
                "packbase.source", file.toUri().toString(), "packbase.update.cooldown.seconds", "0")), clock);
        assertEquals(1, pb.update().update().packagesSynced());

        Files.writeString(file, "{\"packages\":[" + entry("alpha", "alpha") + "," + entry("alpha", "beta") + "]}");
        PackbaseException dup = assertThrows(PackbaseException.class, () -> pb.update().update());
        assertTrue(dup.getMessage().contains("listed twice"), dup.getMessage());
        assertEquals("failed", pb.update().state().state());
        assertEquals(List.of("alpha"), List.copyOf(pb.registry().registeredNames()), "a rejected catalog changes nothing");

        Files.writeString(file, "not json");
        assertThrows(PackbaseException.class, () -> pb.update().update());
        Files.writeString(file, "{\"packages\":[{\"name\":\"../x\",\"url\":\"https://h/x\"}]}");
        assertThrows(PackbaseException.class, () -> pb.update().update());
    }
}
