package dev.packbase.update;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.ErrorCode;
import dev.packbase.closure.ClosureService;
import dev.packbase.PackbaseException;
import dev.packbase.config.Config;
import dev.packbase.metrics.Metrics;
import dev.packbase.domain.PackageInfo;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.ServedPackage;
import dev.packbase.domain.SourceCatalog;
import dev.packbase.domain.UpdateState;
import dev.packbase.ingest.FetchResult;
import dev.packbase.ingest.FetchService;
import dev.packbase.ingest.Refresher;
import dev.packbase.ingest.UpstreamUrl;
import dev.packbase.state.PackageInfos;
import dev.packbase.state.PackageState;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * {@code POST /api/update}: a soft, idempotent realignment (CONTRACT §4). One run syncs the source
 * catalog, ingests what is missing for catalog packages and local fixture repositories whose last
 * upstream check is older than the TTL, makes sure derived Git data is complete, and rewrites the
 * info snapshot of every package. One bad package is reported on that package and never stops the
 * run. Runs are single-flight across every node on the store (a call during a run never starts another,
 * {@link UpdateRuns}) and rate-limited by a cooldown; the state survives restarts.
 */
public final class UpdateService {
    private static final Logger LOG = Logger.getLogger(UpdateService.class.getName());

    private final Config config;
    private final Storage storage;
    private final FixtureRepositories fixtures;
    private final PackageState registry;
    private final FetchService fetches;
    private final Refresher refresher;
    private final ObjectMapper json;
    private final Clock clock;
    private final CatalogReader catalogReader;
    private final Object gate = new Object();
    private final UpdateRuns runs;
    private volatile UpdateState state;
    private final ClosureService closures;

    private final Metrics metrics;

    public UpdateService(Config config, Storage storage, PackageState registry, FetchService fetches,
            ClosureService closures, Refresher refresher, ObjectMapper json, Clock clock, FixtureRepositories fixtures,
            Metrics metrics) {
        this.metrics = metrics;
        this.closures = closures;
        this.config = config;
        this.storage = storage;
        this.fixtures = fixtures;
        this.registry = registry;
        this.fetches = fetches;
        this.refresher = refresher;
        this.json = json;
        this.clock = clock;
        this.catalogReader = new CatalogReader(json, config.fetch().catalogMaxBytes(), config.fetch().timeout(),
                config.fetch().allowFileUrls());
        // A file root has one writing process; on a bucket, any number of nodes write.
        boolean soleWriter = storage.writable() && config.objectStorage().isEmpty();
        this.runs = new UpdateRuns(storage, json, clock, nodeName(), soleWriter);
        this.state = UpdateState.initial();
    }

    /** {@code pid@host} and a random suffix: two instances in one JVM are two nodes too. */
    private static String nodeName() {
        return ManagementFactory.getRuntimeMXBean().getName() + "#"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    }

    public UpdateState state() {
        return state;
    }

    /**
     * The stored state, a run whose node was lost shown as interrupted (and stored so by a writable node).
     * An unreadable store keeps what was known.
     */
    private UpdateState loadState() {
        try {
            UpdateRuns.Current current = runs.read();
            if (current.lost() && storage.writable()) {
                runs.replace(current, current.state());
            }
            return current.state();
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "cannot read " + StorageKeys.UPDATE_STATE + ": " + e.getMessage());
            return state == null ? UpdateState.initial() : state;
        }
    }

    /** Reads the stored state: at start, and then on every node that follows other writers. */
    public void reloadState() {
        state = loadState();
    }

    /**
     * Runs an update now, or refuses: read_only, busy (a run is going on here or on another node on the
     * same store) or cooldown.
     */
    public UpdateState.Result update() {
        long start = System.nanoTime();
        Metrics.UpdateRun outcome = Metrics.UpdateRun.FAILED;
        try {
            UpdateState.Result result = claimAndRun();
            outcome = Metrics.UpdateRun.OK;
            return result;
        } catch (PackbaseException e) {
            outcome = switch (e.code()) {
                case READ_ONLY -> Metrics.UpdateRun.READ_ONLY;
                case BUSY -> Metrics.UpdateRun.BUSY;
                case COOLDOWN -> Metrics.UpdateRun.COOLDOWN;
                default -> Metrics.UpdateRun.FAILED;
            };
            throw e;
        } finally {
            metrics.updateRun(outcome, System.nanoTime() - start);
        }
    }

    private UpdateState.Result claimAndRun() {
        if (!storage.writable()) {
            throw new PackbaseException(ErrorCode.READ_ONLY, "this node serves a read-only root; update on the central node");
        }
        long now = clock.instant().getEpochSecond();
        synchronized (gate) {
            UpdateRuns.Current current = readRuns();
            UpdateState last = current.state();
            if (last.running()) {
                throw busy(last);
            }
            long cooldown = config.update().cooldown().toSeconds();
            if (last.updatedAt() != null && now - last.updatedAt() < cooldown) {
                long wait = cooldown - (now - last.updatedAt());
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("retry_after", wait);
                details.put("update", last);
                throw new PackbaseException(ErrorCode.COOLDOWN, "the last update ended " + (now - last.updatedAt())
                        + " s ago; the next one may start in " + wait + " s (PACKBASE_UPDATE_COOLDOWN_SECONDS)", details, null);
            }
            UpdateState claimed = last.startedBy(runs.node(), now);
            if (!claim(current, claimed)) {
                UpdateState winner = readRuns().state();
                throw busy(winner.running() ? winner : claimed);
            }
            state = claimed;
        }
        ScheduledExecutorService heartbeat = heartbeat(now);
        try {
            UpdateState.Result result = run(now);
            end(now, s -> s.finished(result, clock.instant().getEpochSecond()));
            LOG.info(() -> "update finished: " + result.packagesSynced() + " synced, " + result.packagesFresh() + " fresh, "
                    + result.packagesFailed() + " failed, " + result.tarballsCreated() + " tarballs created");
            return result;
        } catch (RuntimeException e) {
            end(now, s -> s.failed(e.getMessage(), clock.instant().getEpochSecond()));
            throw e;
        } finally {
            heartbeat.shutdownNow();
        }
    }

    private static PackbaseException busy(UpdateState running) {
        String where = running.node() == null ? "" : " on " + running.node();
        return new PackbaseException(ErrorCode.BUSY, "an update is already running" + where + " since "
                + running.startedAt(), Map.of("update", running, "retry_after", 5), null);
    }

    private UpdateRuns.Current readRuns() {
        try {
            return runs.read();
        } catch (IOException e) {
            throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot read the update state: " + e.getMessage(), e);
        }
    }

    private boolean claim(UpdateRuns.Current current, UpdateState claimed) {
        try {
            return runs.replace(current, claimed);
        } catch (IOException e) {
            throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot claim the update run: " + e.getMessage(), e);
        }
    }

    /** Renews this run's lease every quarter of it until the run ends. */
    private ScheduledExecutorService heartbeat(long startedAt) {
        ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "packbase-update-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long period = UpdateRuns.LEASE.toMillis() / 4;
        beat.scheduleWithFixedDelay(() -> {
            try {
                if (!runs.changeOwnRun(startedAt, s -> s.beating(clock.instant().getEpochSecond()))) {
                    LOG.warning("update: this run lost its claim; another node took the next run over");
                }
            } catch (IOException | RuntimeException e) {
                LOG.warning(() -> "update: cannot renew the run's heartbeat: " + e.getMessage());
            }
        }, period, period, TimeUnit.MILLISECONDS);
        return beat;
    }

    /** Stores how this node's run ended, unless another node took the run over meanwhile. */
    private void end(long startedAt, UnaryOperator<UpdateState> ending) {
        try {
            if (!runs.changeOwnRun(startedAt, ending)) {
                LOG.warning("update: not storing this run's end; another node took the run over after its lease ran out");
            }
        } catch (IOException e) {
            LOG.warning(() -> "cannot persist update state: " + e.getMessage());
        }
        state = ending.apply(state);
    }

    /** One package to sync: from the catalog, or a fixture repository under the root. */
    private record Job(String name, String url, boolean trusted) {
    }

    private UpdateState.Result run(long now) {
        long started = System.nanoTime();
        SourceCatalog previous = registry.catalog();
        SourceCatalog catalog = previous;
        CatalogDiff diff = CatalogDiff.NONE;
        if (config.source().isPresent()) {
            catalog = catalogReader.read(config.source().get());
            diff = CatalogDiff.of(previous, catalog);
            try {
                if (diff.changed() || storage.stat(StorageKeys.SOURCE_CURRENT).isEmpty()) {
                    registry.saveCatalog(catalog, previous);
                }
            } catch (IOException e) {
                throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot store the source catalog: " + e.getMessage(), e);
            }
        }

        Map<String, Job> jobs = new TreeMap<>();
        for (FixtureRepositories.Fixture fixture : fixtures.list()) {
            String name = fixture.name();
            if (PackageName.isValid(name) && !new PackageName(name).reserved()) {
                jobs.put(name, new Job(name, fixture.url(), true));
            } else {
                LOG.warning(() -> "ignoring fixture repository with an unusable name: " + fixture.url());
            }
        }
        for (SourceCatalog.Entry e : catalog.packages()) {
            jobs.put(e.name(), new Job(e.name(), e.url(), false)); // the catalog wins over a fixture of the same name
        }

        int synced = 0;
        int fresh = 0;
        int created = 0;
        int present = 0;
        List<UpdateState.Failure> failures = new ArrayList<>();
        Map<String, String> errors = new TreeMap<>();
        long ttl = config.update().ttl().toSeconds();
        for (Job job : jobs.values()) {
            PackageName name = new PackageName(job.name());
            Optional<ServedPackage> record = registry.served(name);
            if (record.isPresent() && !sameUpstream(job, record.get())) {
                String message = "package '" + job.name() + "' is bound to " + record.get().upstreamUrl()
                        + "; the catalog now says " + job.url() + " (the stored tarballs are kept)";
                failures.add(new UpdateState.Failure(job.name(), ErrorCode.CONFLICT.code(), message));
                errors.put(job.name(), message);
                continue;
            }
            if (record.isPresent() && now - record.get().checkedAt() < ttl) {
                fresh++;
                present += record.get().tags().size();
                continue;
            }
            try {
                FetchResult r = fetches.fetch(job.url(), job.name(), job.trusted());
                // A package whose closures are kept gets its new tags' dependencies mirrored with them.
                closures.extend(name, r.created());
                synced++;
                created += r.tarballsCreated();
                present += r.tarballsPresent();
            } catch (PackbaseException e) {
                failures.add(new UpdateState.Failure(job.name(), e.code().code(), e.getMessage()));
                errors.put(job.name(), e.getMessage());
                LOG.warning(() -> "update: " + job.name() + " failed: " + e.getMessage());
            } catch (RuntimeException e) {
                failures.add(new UpdateState.Failure(job.name(), ErrorCode.INTERNAL_ERROR.code(), e.toString()));
                errors.put(job.name(), e.toString());
                LOG.severe(() -> "update: " + job.name() + " failed unexpectedly: " + e);
            }
        }
        rewriteSnapshot(catalog, errors, now);
        return new UpdateState.Result("ok", jobs.size(), synced, created, present, diff.changed(), catalog.packages().size(),
                diff.added(), diff.updated(), diff.removed(), fresh, failures.size(), failures,
                (System.nanoTime() - started) / 1_000_000);
    }

    private static boolean sameUpstream(Job job, ServedPackage record) {
        try {
            return UpstreamUrl.parse(job.url(), true).sameUpstreamAs(record.upstreamUrl());
        } catch (PackbaseException e) {
            return false;
        }
    }

    /**
     * Rewrites the info entry of every package, one package at a time: local ones (rebuilding derived Git
     * data where it is incomplete, which also re-runs the Git check) and registered ones not materialised
     * here; then drops the entries of packages that are neither, and writes the snapshot file.
     */
    private void rewriteSnapshot(SourceCatalog catalog, Map<String, String> errors, long now) {
        Set<String> listed = new HashSet<>();
        for (String local : registry.localNames()) {
            PackageName name = new PackageName(local);
            try {
                PackageRecord record = registry.find(name).orElseThrow();
                Optional<PackageInfo> previous = registry.info(local);
                boolean recheck = previous.isEmpty() || !previous.get().pseudoGitFetchable();
                PackageInfo info = refresher.info(name, record, recheck, now);
                if (errors.containsKey(local)) {
                    List<String> problems = new ArrayList<>(info.problems());
                    problems.add("last update failed: " + errors.get(local));
                    info = info.withProblems(problems);
                }
                // An entry whose content did not change keeps its file (and its generated_at): a no-op run
                // then writes nothing per package, which matters with an fsync per write.
                if (previous.isEmpty() || !previous.get().withGeneratedAt(0).equals(info.withGeneratedAt(0))) {
                    registry.saveInfos(List.of(info));
                }
                listed.add(local);
            } catch (IOException | RuntimeException e) {
                LOG.warning(() -> "update: cannot compute the snapshot of " + local + ": " + e.getMessage());
            }
        }
        try {
            for (SourceCatalog.Entry e : catalog.packages()) {
                if (!registry.isLocal(e.name())) {
                    PackageInfo info = PackageInfos.registeredOnly(e.name(), e.url(),
                            List.of(errors.getOrDefault(e.name(), "not materialised yet")), now);
                    Optional<PackageInfo> previous = registry.info(e.name());
                    if (previous.isEmpty() || !previous.get().withGeneratedAt(0).equals(info.withGeneratedAt(0))) {
                        registry.saveInfos(List.of(info));
                    }
                    listed.add(e.name());
                }
            }
            registry.retainInfos(listed);
        } catch (IOException e) {
            throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot write the info snapshot: " + e.getMessage(), e);
        }
    }
}
