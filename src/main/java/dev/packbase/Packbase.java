package dev.packbase;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.config.Config;
import dev.packbase.domain.PackageName;
import dev.packbase.git.DerivedGit;
import dev.packbase.git.GitService;
import dev.packbase.ingest.FetchResult;
import dev.packbase.ingest.Ingestor;
import dev.packbase.storage.FileStorage;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import dev.packbase.state.PackageState;
import java.io.IOException;
import java.io.UncheckedIOException;
import dev.packbase.update.UpdateService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    private final Storage storage;
    private final PackageState registry;
    private final DerivedGit derivedGit;
    private final GitService git;
    private final Ingestor ingestor;
    private final UpdateService update;
    private final WorkPool work;
    private final java.util.concurrent.CompletableFuture<Void> derivedChecked = new java.util.concurrent.CompletableFuture<>();
    private volatile boolean closed;
    private ScheduledExecutorService edgeReloader;

    private Packbase(Config config, Clock clock) {
        this.config = config;
        this.json = Json.newMapper();
        // The one place that knows the root is a directory: everything below sees only Storage.
        FileStorage files = FileStorage.open(config.root(), config.update().readOnly());
        this.storage = files;
        this.registry = new PackageState(storage, json);
        this.work = new WorkPool(config.ingest().threads());
        this.derivedGit = new DerivedGit(storage, json, work);
        this.git = new GitService(registry, derivedGit);
        this.ingestor = new Ingestor(config, files, registry, derivedGit, git, json, clock, work);
        this.update = new UpdateService(config, storage, registry, ingestor, json, clock,
                new FixtureDirectory(config.root().resolve(StorageKeys.FIXTURES_DIR)));
    }

    /** Builds an instance and brings its state up: loads the registry, seeds an empty root. */
    public static Packbase start(Config config, Clock clock) {
        Packbase packbase = new Packbase(config, clock);
        try {
            packbase.registry.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the registry under " + config.root(), e);
        }
        LOG.info(() -> "root " + packbase.storage.describe() + ": " + packbase.registry.localNames().size()
                + " package(s)");
        packbase.seedIfEmpty();
        packbase.checkDerivedDataInBackground();
        if (!packbase.storage.writable()) {
            packbase.followCentralNode();
        } else if (config.update().onStart()) {
            packbase.updateInBackground();
        }
        return packbase;
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
     * A read-only edge picks up what the central node writes to the shared root: it re-reads the
     * state whenever the info snapshot (the last file the central node writes) has changed.
     */
    private void followCentralNode() {
        long seconds = config.update().reloadInterval().toSeconds();
        edgeReloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "packbase-edge-reload");
            t.setDaemon(true);
            return t;
        });
        edgeReloader.scheduleWithFixedDelay(() -> {
            try {
                if (registry.reloadIfChanged()) {
                    update.reloadState();
                    LOG.info(() -> "edge: reloaded state, " + registry.localNames().size() + " package(s)");
                }
            } catch (IOException | RuntimeException e) {
                LOG.warning(() -> "edge: cannot reload state: " + e.getMessage());
            }
        }, seconds, seconds, TimeUnit.SECONDS);
        LOG.info(() -> "read-only edge: following the root every " + seconds + " s");
    }

    /**
     * The startup check of derived Git data runs after startup, not in it: it reads every package's
     * index and lists its pack directories, which grows with the root (2 s of the 5 s startup budget at
     * 10,000 packages on a tmpfs, more on a cold disk), while requests need only the registry. Until
     * the check reaches a package, its Git endpoints serve the index as it is: a tag whose packs were
     * never built is not advertised yet (the index lists only built tags), and a package whose pack
     * files were deleted answers Git requests with an error until it is rebuilt.
     */
    private void checkDerivedDataInBackground() {
        Thread t = new Thread(() -> {
            try {
                waitForInfoSnapshot();
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

    /**
     * The info snapshot is still being read in the background after startup, and /api/status waits
     * for it: the check starts after it, so the two do not share the cores (startup at 10,000
     * packages: 3.9–4.6 s instead of 4.4–5.1 s). A snapshot that cannot be read is its readers' error.
     */
    private void waitForInfoSnapshot() {
        try {
            registry.summary();
        } catch (RuntimeException e) {
            LOG.fine(() -> "info snapshot not readable: " + e);
        }
    }

    /** Completes when the startup check of derived Git data (and any rebuild it started) has ended. */
    public java.util.concurrent.CompletableFuture<Void> derivedDataChecked() {
        return derivedChecked;
    }

    /**
     * Derived Git data is a cache: rebuild it (from tarballs and manifests) where it is missing or
     * stale. The check reads every package's index and looks for its pack files; at 10,000 packages
     * that is a second of work, and packages are independent, so it is spread over the cores. The
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
            ingestor.refreshDerived(pkg);
        }
        LOG.info(() -> "derived Git data checked: " + names.size() + " package(s), " + incomplete.size() + " rebuilt");
    }

    /** Whether a package's derived Git data covers its record; an unreadable index counts as complete (as before). */
    private boolean derivedComplete(PackageName pkg) {
        try {
            var record = registry.find(pkg).orElseThrow();
            Map<String, String> served = new HashMap<>();
            record.tags().forEach(t -> served.put(t.tag(), t.commitOid()));
            return derivedGit.complete(pkg, served);
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
        FetchResult seeded = ingestor.ingestSeed();
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

    public Ingestor ingestor() {
        return ingestor;
    }

    public UpdateService update() {
        return update;
    }

    @Override
    public void close() {
        closed = true;
        if (edgeReloader != null) {
            edgeReloader.shutdownNow();
        }
        work.close();
        LOG.info("packbase stopped");
    }
}
