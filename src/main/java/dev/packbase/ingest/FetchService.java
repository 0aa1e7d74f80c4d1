package dev.packbase.ingest;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.config.Config;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.RefKind;
import dev.packbase.metrics.Metrics;
import dev.packbase.state.PackageState;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * The front of ingest: everything that decides whether and as what a request may ingest, before the
 * pipeline does any work. Admission (a bounded number of API ingests, more get {@code busy}), the URL
 * and the package name, the upstream check (SSRF), the package's lock, and the binding of a name to
 * its first upstream. Then {@link IngestPipeline} runs under the lock.
 */
public final class FetchService {
    private final Config.Fetch limits;
    private final PackageState state;
    private final IngestPipeline pipeline;
    private final PackageLocks locks;
    private final Semaphore ingestSlots;
    private final int maxConcurrentIngests;
    private final Metrics metrics;

    public FetchService(Config.Fetch limits, int maxConcurrentIngests, PackageState state, IngestPipeline pipeline,
            PackageLocks locks, Metrics metrics) {
        this.metrics = metrics;
        this.limits = limits;
        this.maxConcurrentIngests = maxConcurrentIngests;
        this.state = state;
        this.pipeline = pipeline;
        this.locks = locks;
        this.ingestSlots = new Semaphore(maxConcurrentIngests);
    }

    /**
     * {@code POST /api/fetch}: binds (or re-checks) a package and ingests its new tags, or only the ref
     * the URL's fragment names.
     */
    public FetchResult fetch(String rawUrl, String explicitName) {
        if (!ingestSlots.tryAcquire()) {
            metrics.ingest(Metrics.Ingest.BUSY, 0);
            throw new PackbaseException(ErrorCode.BUSY, "all " + maxConcurrentIngests
                    + " ingest slots are in use (PACKBASE_MAX_CONCURRENT_INGESTS); try again shortly",
                    Map.of("retry_after", 10), null);
        }
        try {
            return fetch(rawUrl, explicitName, limits.allowFileUrls());
        } finally {
            ingestSlots.release();
        }
    }

    /**
     * Binds (or re-checks) a package and ingests its new tags; {@code allowFile} lets operator-given
     * sources (fixture repositories under the root) use file: URLs whatever the API allows.
     */
    public FetchResult fetch(String rawUrl, String explicitName, boolean allowFile) {
        long start = System.nanoTime();
        Metrics.Ingest outcome = Metrics.Ingest.ERROR;
        try {
            FetchResult result = ingestUrl(rawUrl, explicitName, allowFile);
            outcome = result.failedTags().isEmpty() ? Metrics.Ingest.OK : Metrics.Ingest.PARTIAL;
            return result;
        } catch (PackbaseException e) {
            outcome = outcome(e.code());
            throw e;
        } finally {
            metrics.ingest(outcome, System.nanoTime() - start);
        }
    }

    /** How a failed ingest is counted. */
    private static Metrics.Ingest outcome(ErrorCode code) {
        return switch (code) {
            case NO_TAGS -> Metrics.Ingest.NO_TAGS;
            case UPSTREAM_FAILED -> Metrics.Ingest.UPSTREAM_FAILED;
            case BUSY -> Metrics.Ingest.BUSY;
            default -> code.httpStatus() < 500 ? Metrics.Ingest.REJECTED : Metrics.Ingest.ERROR;
        };
    }

    private FetchResult ingestUrl(String rawUrl, String explicitName, boolean allowFile) {
        UpstreamUrl url = UpstreamUrl.parse(rawUrl, allowFile).rewritten(limits.rewrites());
        if (!url.given().toLowerCase(java.util.Locale.ROOT).startsWith("git+") && ArchiveType.fromUrl(url.given()).isPresent()) {
            throw PackbaseException.badRequest("'" + rawUrl + "' is an archive, not a Git repository: archive dependencies"
                    + " are mirrored by POST /api/closure (or /api/bundle) with the build.zig.zon that declares them");
        }
        PackageName name = packageName(url, explicitName);
        // Only after every check of the request itself: this one resolves the host (the rewritten one).
        UpstreamGuard.check(url, limits);
        return locks.with(name, () -> {
            Optional<PackageRecord> existing;
            try {
                existing = state.find(name);
            } catch (java.io.IOException e) {
                throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "cannot read the record of " + name + ": "
                        + e.getMessage(), e);
            }
            if (existing.isPresent() && !url.sameUpstreamAs(existing.get().upstreamUrl())) {
                throw new PackbaseException(ErrorCode.CONFLICT, "package '" + name + "' is already bound to "
                        + existing.get().upstreamUrl() + ", not " + url.given(), Map.of("package", name.value()), null);
            }
            Upstream upstream = new CountedUpstream(new GitUpstream(url, limits), metrics);
            Source source = url.ref().<Source>map(ref -> new RefSource(upstream, ref)).orElseGet(() -> new TagSource(upstream));
            return pipeline.run(name, source);
        });
    }

    /** A version this registry holds. */
    public record Held(PackageName pkg, RefKind kind, String name) {
    }

    /**
     * The version a pinned URL ({@code …#<tag>} or {@code …#<full commit id>}) names when this registry
     * already holds it, found without any upstream traffic: tags and commits here never change, so a
     * closure of held packages resolves with upstream unreachable (air-gapped, or the forge down).
     */
    public Optional<Held> held(String rawUrl) {
        UpstreamUrl url;
        PackageName name;
        try {
            url = UpstreamUrl.parse(rawUrl, limits.allowFileUrls());
            name = packageName(url, null);
        } catch (PackbaseException e) {
            return Optional.empty();
        }
        if (url.ref().isEmpty()) {
            return Optional.empty();
        }
        String ref = UpstreamUrl.tagOrCommit(url.ref().get());
        Optional<PackageRecord> record;
        try {
            record = state.find(name);
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
        return record.filter(r -> url.sameUpstreamAs(r.upstreamUrl())).flatMap(r -> {
            if (r.tag(ref).isPresent()) {
                return Optional.of(new Held(name, RefKind.TAG, ref));
            }
            if (r.commit(ref).isPresent()) {
                return Optional.of(new Held(name, RefKind.COMMIT, ref));
            }
            // As RefSource: a commit id names the tags whose commit it is.
            return r.tags().stream().filter(t -> t.upstreamCommit().equals(ref)).findFirst()
                    .map(t -> new Held(name, RefKind.TAG, t.tag()));
        });
    }

    /** Materialises the built-in seed package through the same pipeline. */
    public FetchResult seed() {
        return ingest(new PackageName(SeedUpstream.NAME), new TagSource(new SeedUpstream()));
    }

    /** Runs the pipeline for a source that needs no admission (the seed, tests, the scale generator). */
    FetchResult ingest(PackageName name, Source source) {
        return locks.with(name, () -> pipeline.run(name, source));
    }

    private static PackageName packageName(UpstreamUrl url, String explicitName) {
        PackageName name;
        if (explicitName != null) {
            name = new PackageName(explicitName);
        } else {
            if (!PackageName.isValid(url.derivedName())) {
                throw PackbaseException.badRequest("cannot derive a package name from '" + url.given()
                        + "': pass an explicit \"name\"");
            }
            name = new PackageName(url.derivedName());
            if (name.reserved()) {
                throw PackbaseException.badRequest("package name '" + name + "' collides with a packbase path;"
                        + " pass an explicit \"name\"");
            }
        }
        if (name.reserved()) {
            throw PackbaseException.badRequest("package name '" + name + "' is reserved by packbase");
        }
        return name;
    }
}
