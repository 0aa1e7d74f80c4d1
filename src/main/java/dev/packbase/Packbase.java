package dev.packbase;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.audit.AuditTrail;
import dev.packbase.config.Config;
import dev.packbase.config.TokensFile;
import dev.packbase.closure.Bundler;
import dev.packbase.closure.ClosureService;
import dev.packbase.closure.ZonRewriter;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.TagEntry;
import dev.packbase.git.DerivedGit;
import dev.packbase.git.GitService;
import dev.packbase.health.Readiness;
import dev.packbase.metrics.Metrics;
import dev.packbase.metrics.PrometheusMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import dev.packbase.ingest.ArchiveService;
import dev.packbase.ingest.FetchResult;
import dev.packbase.ingest.FetchService;
import dev.packbase.ingest.Ingest;
import dev.packbase.ingest.Refresher;
import dev.packbase.ingest.ScratchArea;
import dev.packbase.state.ArchiveState;
import dev.packbase.state.ZigHashes;
import dev.packbase.storage.AppendOnlyFile;
import dev.packbase.storage.Backend;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import dev.packbase.state.PackageState;
import java.io.IOException;
import java.io.UncheckedIOException;
import dev.packbase.update.UpdateService;
import dev.packbase.web.WebFace;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The composition root: builds and owns every long-lived object of one packbase instance (storage,
 * registry, ingest) by hand, with no container and no static state, so two deployments in one JVM
 * stay independent. The servlet listener creates one per web application and closes it on undeploy.
 */
public final class Packbase implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Packbase.class.getName());

    private final Config config;
    private final ObjectMapper json;
    private final Backend backend;
    private final Storage storage;
    private final PackageState registry;
    private final DerivedGit derivedGit;
    private final GitService git;
    private final Refresher refresher;
    private final FetchService fetches;
    private final UpdateService update;
    private final ZonRewriter rewriter;
    private final ClosureService closures;
    private final ArchiveState archives;
    private final ZigHashes hashes;
    private final Bundler bundler;
    private final WebFace web;
    private final WorkPool work;
    private final TokensFile tokens;
    private final AppendOnlyFile auditFile;
    private final AuditTrail audit;
    private final java.util.concurrent.CompletableFuture<Void> derivedChecked = new java.util.concurrent.CompletableFuture<>();
    private final Metrics metrics;
    private final Optional<PrometheusMetrics> exposition;
    private final Readiness readiness;
    private volatile boolean closed;
    private volatile boolean opened;
    private ScheduledExecutorService edgeReloader;

    private Packbase(Config config, Clock clock) {
        this.config = config;
        this.json = Json.newMapper();
        // The one place that opens the store (a directory or a bucket): everything below sees only Storage.
        this.backend = Backend.open(config, config.update().readOnly());
        this.storage = backend.storage();
        this.registry = new PackageState(storage, json);
        // Metrics on this instance's own registry (never the client's default one): two instances in a JVM stay apart.
        this.exposition = config.http().metrics()
                ? Optional.of(new PrometheusMetrics(new PrometheusRegistry(), registry::healthCounts))
                : Optional.empty();
        this.metrics = exposition.<Metrics>map(m -> m).orElse(Metrics.OFF);
        this.readiness = new Readiness(storage, () -> opened, clock);
        this.work = new WorkPool(config.ingest().threads());
        this.derivedGit = new DerivedGit(storage, json, work);
        this.git = new GitService(registry, derivedGit);
        // Ingest's JGit workspace: a local directory of this node, emptied when the storage opens.
        ScratchArea scratch = new ScratchArea(backend.scratchDir());
        Ingest ingest = Ingest.wire(config, storage, scratch, registry, derivedGit, git, json, clock, work,
                metrics);
        this.fetches = ingest.fetches();
        this.refresher = ingest.refresher();
        this.archives = new ArchiveState(storage, json);
        this.hashes = new ZigHashes(registry, archives);
        ArchiveService archiveMirror = new ArchiveService(config.fetch(), config.ingest(), archives, storage, scratch,
                clock, config.release(), metrics);
        this.rewriter = new ZonRewriter(hashes);
        this.closures = new ClosureService(fetches, archiveMirror, registry, storage, json,
                config.ingest().maxClosureNodes(), metrics);
        this.bundler = new Bundler(hashes, storage);
        this.update = new UpdateService(config, storage, registry, fetches, closures, refresher, json, clock,
                new FixtureDirectory(config.root().resolve(StorageKeys.FIXTURES_DIR)), metrics);
        this.web = new WebFace(registry, hashes, closures, storage, json, update::state);
        this.tokens = new TokensFile(config.access().tokensFile(), config.token());
        // A local file of this node, also when the registry is in a bucket (README "Audit").
        this.auditFile = new AppendOnlyFile(config.access().auditLog());
        this.audit = new AuditTrail(auditFile, json, clock, storage.writable());
    }

    /** Builds the object graph of one instance. Nothing runs yet: no thread, no state read. */
    public static Packbase build(Config config, Clock clock) {
        return new Packbase(config, clock);
    }

    /** {@code build(config, clock).start()}. */
    public static Packbase start(Config config, Clock clock) {
        return build(config, clock).start();
    }

    /**
     * Reads the state, and nothing else: what an operator command needs. Changes made after it are written
     * synchronously or at {@link #close}; no background work runs.
     */
    public synchronized Packbase open() {
        if (!opened) {
            try {
                registry.load();
                update.reloadState();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the state under " + storage.describe(), e);
            }
            opened = true;
            LOG.info(() -> "root " + storage.describe() + ": " + registry.localNames().size() + " package(s)");
        }
        return this;
    }

    /**
     * Reads the state, seeds an empty root and starts the background work: the info snapshot's writer, the
     * check of derived Git data, and either following the central node (a read-only edge) or the update on
     * start.
     */
    public synchronized Packbase start() {
        open();
        // Both fail the start when unusable: a node must not serve changes it cannot authorise or record.
        tokens.load();
        audit.open();
        registry.start();
        seedIfEmpty();
        checkDerivedDataInBackground();
        web.start();
        if (!storage.writable() || config.objectStorage().isPresent()) {
            followOtherWriters();
        }
        if (storage.writable() && config.update().onStart()) {
            updateInBackground();
        }
        return this;
    }

    /** PACKBASE_UPDATE_ON_START: one update run right after startup, without delaying it. */
    private void updateInBackground() {
        Thread t = new Thread(() -> {
            try {
                update.update();
            } catch (RuntimeException e) {
                LOG.warning(() -> "update at startup failed: " + e.getMessage());
            }
        }, "packbase-startup-update");
        t.setDaemon(true);
        t.start();
    }

    /**
     * A read-only edge picks up what the central node writes to the shared root, and every node on a
     * bucket what the other nodes write: it re-reads the state whenever the info snapshot (the last
     * object a writer writes after a change) has changed, checked every {@code PACKBASE_RELOAD_SECONDS}.
     */
    private void followOtherWriters() {
        long seconds = config.update().reloadInterval().toSeconds();
        edgeReloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "packbase-edge-reload");
            t.setDaemon(true);
            return t;
        });
        edgeReloader.scheduleWithFixedDelay(() -> {
            try {
                if (registry.reloadIfChanged()) {
                    LOG.info(() -> "reloaded state, " + registry.localNames().size() + " package(s)");
                }
                // A run on another node changes only the update state until it writes the snapshot.
                update.reloadState();
            } catch (IOException | RuntimeException e) {
                LOG.warning(() -> "cannot reload state: " + e.getMessage());
            }
        }, seconds, seconds, TimeUnit.SECONDS);
        LOG.info(() -> (storage.writable() ? "" : "read-only ") + "node: following " + storage.describe() + " every "
                + seconds + " s");
    }

    /**
     * The startup check of derived Git data runs after startup, not in it: it reads every package's
     * index and lists its pack directories, which grows with the root, while requests need only the state. Until
     * the check reaches a package, its Git endpoints serve the index as it is: a tag whose packs were
     * never built is not advertised yet (the index lists only built tags), and a package whose pack
     * files were deleted answers Git requests with an error until it is rebuilt.
     */
    private void checkDerivedDataInBackground() {
        Thread t = new Thread(() -> {
            try {
                rebuildMissingDerivedData();
                derivedChecked.complete(null);
            } catch (RuntimeException | Error e) {
                LOG.log(java.util.logging.Level.WARNING, "startup check of derived Git data failed", e);
                derivedChecked.completeExceptionally(e);
            }
        }, "packbase-derived-check");
        t.setDaemon(true);
        t.start();
    }

    /** Completes when the startup check of derived Git data (and any rebuild it started) has ended. */
    public java.util.concurrent.CompletableFuture<Void> derivedDataChecked() {
        return derivedChecked;
    }

    /**
     * Derived Git data is a cache: rebuild it (from tarballs and manifests) where it is missing or
     * stale. The check reads every package's index and looks for its pack files; packages are
     * independent, so it is spread over the cores. The
     * rare rebuilds then run one after another.
     */
    private void rebuildMissingDerivedData() {
        if (!storage.writable()) {
            return;
        }
        List<String> names = registry.localNames();
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "packbase-startup-check");
            t.setDaemon(true);
            return t;
        });
        List<PackageName> incomplete = new ArrayList<>();
        try {
            List<Future<Boolean>> checks = new ArrayList<>();
            for (String name : names) {
                checks.add(pool.submit(() -> derivedComplete(new PackageName(name))));
            }
            for (int i = 0; i < names.size(); i++) {
                if (!checks.get(i).get()) {
                    incomplete.add(new PackageName(names.get(i)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking derived Git data", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot check derived Git data: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        for (PackageName pkg : incomplete) {
            if (closed) {
                return;
            }
            LOG.info(() -> "building derived Git data of " + pkg);
            refresher.refresh(pkg);
        }
        LOG.info(() -> "derived Git data checked: " + names.size() + " package(s), " + incomplete.size() + " rebuilt");
    }

    /** Whether a package's derived Git data covers its record; an unreadable index counts as complete (as before). */
    private boolean derivedComplete(PackageName pkg) {
        try {
            var record = registry.find(pkg).orElseThrow();
            Map<String, String> served = new HashMap<>();
            record.tags().forEach(t -> served.put(t.tag(), t.commitOid()));
            return derivedGit.complete(pkg, served,
                    record.commits().stream().map(TagEntry::tag).collect(java.util.stream.Collectors.toSet()));
        } catch (IOException e) {
            LOG.warning(() -> "cannot read derived Git data of " + pkg + ": " + e.getMessage());
            return true;
        }
    }

    private void seedIfEmpty() {
        if (!config.seed() || !registry.isEmpty()) {
            return;
        }
        if (!storage.writable()) {
            LOG.info("root is read-only: not materialising the seed package");
            return;
        }
        FetchResult seeded = fetches.seed();
        LOG.info(() -> "materialised seed package " + seeded.packageName() + " " + seeded.tag());
    }

    public Config config() {
        return config;
    }

    public ObjectMapper json() {
        return json;
    }

    public Storage storage() {
        return storage;
    }

    public PackageState registry() {
        return registry;
    }

    public GitService git() {
        return git;
    }

    /** The front of ingest ({@code POST /api/fetch}, update runs). */
    public FetchService fetches() {
        return fetches;
    }

    /** The archive packages held here. */
    public ArchiveState archives() {
        return archives;
    }

    /** Which package a Zig hash names, Git version or archive. */
    public ZigHashes hashes() {
        return hashes;
    }

    /** {@code POST /api/rewrite}: build.zig.zon URLs pointed at the tarballs held here. */
    public ZonRewriter rewriter() {
        return rewriter;
    }

    /** {@code /api/closure}: transitive dependency trees, mirrored. */
    public ClosureService closures() {
        return closures;
    }

    /** {@code POST /api/bundle}: a closure's packages as Zig keeps them, for offline builds. */
    public Bundler bundler() {
        return bundler;
    }

    public WebFace web() {
        return web;
    }

    /** What every component counts in: the Prometheus metrics, or {@link Metrics#OFF} ({@code PACKBASE_METRICS}). */
    public Metrics metrics() {
        return metrics;
    }

    /** The metrics to expose at {@code GET /metrics}; empty when metrics are off. */
    public Optional<PrometheusMetrics> exposition() {
        return exposition;
    }

    /** {@code GET /readyz}: state loaded, storage reachable, writable where this node writes. */
    public Readiness readiness() {
        return readiness;
    }

    /** Derive, verify and publish without ingesting (update, reindex, the startup check). */
    public Refresher refresher() {
        return refresher;
    }

    public UpdateService update() {
        return update;
    }

    /** The named tokens in force (PACKBASE_TOKEN, PACKBASE_TOKENS_FILE). */
    public TokensFile tokens() {
        return tokens;
    }

    /** The audit log: one line per call that changes state. */
    public AuditTrail audit() {
        return audit;
    }

    @Override
    public void close() {
        closed = true;
        if (edgeReloader != null) {
            edgeReloader.shutdownNow();
        }
        work.close();
        web.close();
        registry.close();
        try {
            auditFile.close();
        } catch (IOException e) {
            LOG.warning(() -> "cannot close the audit log: " + e.getMessage());
        }
        backend.close();
        LOG.info("packbase stopped");
    }
}
