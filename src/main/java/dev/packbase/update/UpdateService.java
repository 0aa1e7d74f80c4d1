package dev.packbase.update;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.ErrorCode;
import dev.packbase.closure.ClosureService;
import dev.packbase.PackbaseException;
import dev.packbase.config.Config;
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
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * {@code POST /api/update}: a soft, idempotent realignment (CONTRACT §4). One run syncs the source
 * catalog, ingests what is missing for catalog packages and local fixture repositories whose last
 * upstream check is older than the TTL, makes sure derived Git data is complete, and rewrites the
 * info snapshot of every package. One bad package is reported on that package and never stops the
 * run. Runs are single-flight (a call during a run never starts another) and rate-limited by a
 * cooldown; the state survives restarts.
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
    private volatile UpdateState state;
    private final ClosureService closures;

    public UpdateService(Config config, Storage storage, PackageState registry, FetchService fetches,
            ClosureService closures, Refresher refresher, ObjectMapper json, Clock clock, FixtureRepositories fixtures) {
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
        this.state = loadState();
    }

    public UpdateState state() {
        return state;
    }

    private UpdateState loadState() {
        UpdateState loaded = UpdateState.initial();
        try {
            if (storage.stat(StorageKeys.UPDATE_STATE).isPresent()) {
                try (InputStream in = storage.open(StorageKeys.UPDATE_STATE)) {
                    loaded = json.readValue(in, UpdateState.class);
                }
            }
        } catch (IOException e) {
            LOG.warning(() -> "ignoring unreadable " + StorageKeys.UPDATE_STATE + ": " + e.getMessage());
        }
        if ("running".equals(loaded.state())) {
            // The node stopped in the middle of a run: say so instead of claiming it still runs.
            loaded = new UpdateState("failed", loaded.startedAt(), loaded.startedAt(),
                    "interrupted: the node stopped during the run", loaded.sourcePackages(), loaded.lastResult());
            if (storage.writable()) {
                persist(loaded);
            }
        }
        return loaded;
    }

    /** Reloads the persisted state (read-only edges follow the central node's runs this way). */
    public void reloadState() {
        state = loadState();
    }

    private void persist(UpdateState next) {
        try {
            storage.replace(StorageKeys.UPDATE_STATE, out -> json.writeValue(out, next));
        } catch (IOException e) {
            LOG.warning(() -> "cannot persist update state: " + e.getMessage());
        }
        state = next;
    }

    /** Runs an update now, or refuses: read_only, busy (a run is going on) or cooldown. */
    public UpdateState.Result update() {
        if (!storage.writable()) {
            throw new PackbaseException(ErrorCode.READ_ONLY, "this node serves a read-only root; update on the central node");
        }
        long now = clock.instant().getEpochSecond();
        synchronized (gate) {
            UpdateState current = state;
            if ("running".equals(current.state())) {
                throw new PackbaseException(ErrorCode.BUSY, "an update is already running since " + current.startedAt(),
                        Map.of("update", current, "retry_after", 5), null);
            }
            long cooldown = config.update().cooldown().toSeconds();
            if (current.updatedAt() != null && now - current.updatedAt() < cooldown) {
                long wait = cooldown - (now - current.updatedAt());
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("retry_after", wait);
                details.put("update", current);
                throw new PackbaseException(ErrorCode.COOLDOWN, "the last update ended " + (now - current.updatedAt())
                        + " s ago; the next one may start in " + wait + " s (PACKBASE_UPDATE_COOLDOWN_SECONDS)", details, null);
            }
            persist(new UpdateState("running", now, current.updatedAt(), null, current.sourcePackages(),
                    current.lastResult()));
        }
        try {
            UpdateState.Result result = run(now);
            persist(new UpdateState("idle", now, clock.instant().getEpochSecond(), null, result.sourcePackages(), result));
            LOG.info(() -> "update finished: " + result.packagesSynced() + " synced, " + result.packagesFresh() + " fresh, "
                    + result.packagesFailed() + " failed, " + result.tarballsCreated() + " tarballs created");
            return result;
        } catch (RuntimeException e) {
            persist(new UpdateState("failed", now, clock.instant().getEpochSecond(), e.getMessage(), state.sourcePackages(),
                    state.lastResult()));
            throw e;
        }
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
