package dev.packbase.ingest;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.WorkPool;
import dev.packbase.config.Config;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.TagEntry;
import dev.packbase.domain.TagManifest;
import dev.packbase.domain.TagName;
import dev.packbase.domain.GitStatus;
import dev.packbase.domain.PackageInfo;
import dev.packbase.git.DerivedGit;
import dev.packbase.git.FetchabilityCheck;
import dev.packbase.git.GitService;
import dev.packbase.git.RootCommit;
import dev.packbase.storage.FileStorage;
import dev.packbase.state.PackageInfos;
import dev.packbase.state.PackageState;
import dev.packbase.storage.StorageKeys;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * The ingest pipeline: list upstream tags, fetch what new tags need, write one immutable tarball and
 * one manifest per new tag, then update the package record and its info snapshot. Existing tarballs
 * are never rewritten; an upstream tag that moved is recorded as a warning. Ingests of one package
 * are serialised (a second caller waits for the first and then finds the work done); different
 * packages ingest in parallel.
 */
public final class Ingestor {
    private static final Logger LOG = Logger.getLogger(Ingestor.class.getName());
    private static final int MAX_WARNINGS = 50;

    private final Config config;
    private final FileStorage storage;
    private final PackageState registry;
    private final ObjectMapper json;
    private final Clock clock;
    private final DerivedGit derivedGit;
    private final GitService git;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final java.util.concurrent.Semaphore ingestSlots;
    private final WorkPool work;

    public Ingestor(Config config, FileStorage storage, PackageState registry, DerivedGit derivedGit, GitService git,
            ObjectMapper json, Clock clock, WorkPool work) {
        this.work = work;
        this.config = config;
        this.storage = storage;
        this.registry = registry;
        this.derivedGit = derivedGit;
        this.git = git;
        this.json = json;
        this.clock = clock;
        this.ingestSlots = new java.util.concurrent.Semaphore(config.ingest().maxConcurrent());
    }

    /** {@code POST /api/fetch}: binds (or re-checks) a package and ingests its new tags. */
    public FetchResult fetch(String rawUrl, String explicitName) {
        if (!ingestSlots.tryAcquire()) {
            throw new PackbaseException(ErrorCode.BUSY, "all " + config.ingest().maxConcurrent()
                    + " ingest slots are in use (PACKBASE_MAX_CONCURRENT_INGESTS); try again shortly",
                    Map.of("retry_after", 10), null);
        }
        try {
            return fetch(rawUrl, explicitName, config.fetch().allowFileUrls());
        } finally {
            ingestSlots.release();
        }
    }

    /**
     * Binds (or re-checks) a package and ingests its new tags; {@code allowFile} lets operator-given
     * sources (fixture repositories under the root) use file: URLs whatever the API allows.
     */
    public FetchResult fetch(String rawUrl, String explicitName, boolean allowFile) {
        UpstreamUrl url = UpstreamUrl.parse(rawUrl, allowFile);
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
        // Only after every check of the request itself: this one resolves the host.
        UpstreamGuard.check(url, config.fetch());
        return withLock(name, () -> {
            Optional<PackageRecord> existing = registry.find(name);
            if (existing.isPresent() && !url.sameUpstreamAs(existing.get().upstreamUrl())) {
                throw new PackbaseException(ErrorCode.CONFLICT, "package '" + name + "' is already bound to "
                        + existing.get().upstreamUrl() + ", not " + url.given(), Map.of("package", name.value()), null);
            }
            return ingest(name, new GitUpstream(url, config.fetch()));
        });
    }

    /** Materialises the built-in seed package through the same pipeline. */
    public FetchResult ingestSeed() {
        PackageName name = new PackageName(SeedUpstream.NAME);
        return withLock(name, () -> ingest(name, new SeedUpstream()));
    }

    private <T> T withLock(PackageName name, java.util.function.Supplier<T> work) {
        ReentrantLock lock = locks.computeIfAbsent(name.value(), k -> new ReentrantLock());
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    FetchResult ingest(PackageName name, Upstream upstream) {
        try {
            return doIngest(name, upstream);
        } catch (IOException e) {
            throw new PackbaseException(ErrorCode.INTERNAL_ERROR, "storage failure while ingesting '" + name + "': "
                    + e.getMessage(), e);
        }
    }

    private FetchResult doIngest(PackageName name, Upstream upstream) throws IOException {
        long now = clock.instant().getEpochSecond();
        Optional<PackageRecord> existing = registry.find(name);
        List<UpstreamTag> tags = upstream.listTags();
        if (tags.isEmpty()) {
            throw new PackbaseException(ErrorCode.NO_TAGS, "upstream " + upstream.url() + " has no tags",
                    Map.of("package", name.value()), null);
        }
        Map<String, TagEntry> entries = new LinkedHashMap<>();
        existing.ifPresent(r -> r.tags().forEach(t -> entries.put(t.tag(), t)));
        List<String> warnings = new ArrayList<>();
        List<UpstreamTag> wanted = new ArrayList<>();
        List<PackageRecord.SkippedTag> skipped = new ArrayList<>();
        int present = 0;
        for (UpstreamTag tag : tags.stream().sorted(Comparator.comparing(UpstreamTag::name)).toList()) {
            if (!TagName.isServable(tag.name())) {
                warnings.add("tag '" + tag.name() + "' skipped: its name cannot be used in a tarball URL");
                continue;
            }
            TagEntry known = entries.get(tag.name());
            Optional<PackageRecord.SkippedTag> skippedBefore = existing.flatMap(r -> r.skipped(tag.name()));
            if (known == null && skippedBefore.isPresent() && skippedBefore.get().object().equals(tag.object().name())) {
                skipped.add(skippedBefore.get());
                continue;
            }
            if (known != null) {
                present++;
                if (!known.upstreamObject().equals(tag.object().name())) {
                    warnings.add("upstream tag '" + tag.name() + "' moved from " + known.upstreamObject() + " to "
                            + tag.object().name() + "; the stored tarball keeps " + known.upstreamCommit());
                }
                continue;
            }
            wanted.add(tag);
        }

        List<String> created = new ArrayList<>();
        long fetchNanos = 0;
        long tarballNanos = 0;
        if (!wanted.isEmpty()) {
            Path scratch = storage.newScratchDirectory("ingest-" + name.value());
            long started = System.nanoTime();
            try (Repository repo = upstream.fetch(wanted, scratch)) {
                fetchNanos = System.nanoTime() - started;
                // Tags are independent (each its own tarball and manifest), and gzip is most of the
                // work, so they are written in parallel; outcomes are taken in tag order.
                List<TagResult> results = work.map(wanted, tag -> materialiseOrSkip(name, upstream, repo, tag, now));
                tarballNanos = System.nanoTime() - started - fetchNanos;
                for (int i = 0; i < wanted.size(); i++) {
                    UpstreamTag tag = wanted.get(i);
                    TagResult result = results.get(i);
                    if (result.skipReason() != null) {
                        warnings.add("tag '" + tag.name() + "' skipped: " + result.skipReason());
                        skipped.add(new PackageRecord.SkippedTag(tag.name(), tag.object().name(), result.skipReason()));
                    } else if (result.outcome() != null) {
                        entries.put(tag.name(), result.outcome().entry());
                        if (result.outcome().created()) {
                            created.add(tag.name());
                        } else {
                            present++;
                        }
                    }
                }
            } finally {
                deleteRecursively(scratch);
            }
        }

        List<String> recordWarnings = new ArrayList<>(existing.map(PackageRecord::warnings).orElse(List.of()));
        warnings.stream().filter(w -> !recordWarnings.contains(w)).forEach(recordWarnings::add);
        while (recordWarnings.size() > MAX_WARNINGS) {
            recordWarnings.remove(0);
        }
        PackageRecord record = new PackageRecord(PackageRecord.FORMAT, name.value(),
                existing.map(PackageRecord::upstreamUrl).orElse(upstream.url()),
                existing.map(PackageRecord::createdAt).orElse(now), now, List.copyOf(entries.values()), recordWarnings,
                skipped);
        if (record.tags().isEmpty()) {
            throw new PackbaseException(ErrorCode.NO_TAGS, "no tag of " + upstream.url() + " could be materialised: "
                    + String.join("; ", warnings), Map.of("package", name.value()), null);
        }
        registry.save(record);
        refreshDerived(name, record, now);
        String latest = record.latest().map(TagEntry::tag).orElseThrow();
        if (!created.isEmpty()) {
            long fetchMs = fetchNanos / 1_000_000;
            long tarballMs = tarballNanos / 1_000_000;
            LOG.info(() -> "ingested " + name + " from " + upstream.url() + " (upstream fetch " + fetchMs + " ms, "
                    + created.size() + " tarballs " + tarballMs + " ms): " + String.join(", ", created));
        }
        warnings.forEach(w -> LOG.warning(() -> name + ": " + w));
        return new FetchResult(name.value(), record.upstreamUrl(), latest, created.size(), present, record.tags().size(),
                List.copyOf(created), List.copyOf(warnings));
    }

    /**
     * Brings a package's derived Git data up to date with its record (building missing packs from
     * the tarballs), runs the Git self-check and rewrites its info snapshot. Called after every
     * ingest and, for packages whose derived data is missing, at startup.
     */
    public void refreshDerived(PackageName name) {
        withLock(name, () -> {
            try {
                Optional<PackageRecord> record = registry.find(name);
                if (record.isPresent()) {
                    refreshDerived(name, record.get(), clock.instant().getEpochSecond());
                }
            } catch (IOException e) {
                LOG.warning(() -> "could not refresh " + name + ": " + e.getMessage());
            }
            return null;
        });
    }

    private void refreshDerived(PackageName name, PackageRecord record, long now) throws IOException {
        registry.saveInfos(List.of(info(name, record, true, now)));
    }

    /**
     * The info snapshot of a package. With {@code recheckGit}, derived Git data is rebuilt where
     * needed and the Git self-check runs; otherwise the last check's outcome is kept (nothing that it
     * depends on changed).
     */
    public PackageInfo info(PackageName name, PackageRecord record, boolean recheckGit, long now) throws IOException {
        GitStatus status;
        Optional<PackageInfo> previous = registry.info(name.value());
        if (!recheckGit && previous.isPresent()) {
            status = new GitStatus(previous.get().smartHttpReady(), previous.get().pseudoGitFetchable(),
                    previous.get().gitProblems());
        } else {
            try {
                List<TagManifest> manifests = new ArrayList<>();
                for (TagEntry tag : record.tags()) {
                    manifests.add(registry.manifest(name, tag.tag()).orElseThrow(
                            () -> new IOException("manifest of " + tag.tag() + " is missing")));
                }
                long started = System.nanoTime();
                DerivedGit.Ensured ensured = derivedGit.ensure(name, manifests);
                git.invalidate(name);
                long derived = System.nanoTime();
                // Tags that passed an earlier check and were not rebuilt need no second fetch.
                boolean earlierPassed = previous.isPresent() && previous.get().pseudoGitFetchable();
                status = FetchabilityCheck.run(git, name, earlierPassed ? ensured.built() : null, work);
                if (!ensured.built().isEmpty()) {
                    long buildMs = (derived - started) / 1_000_000;
                    long checkMs = (System.nanoTime() - derived) / 1_000_000;
                    LOG.info(() -> "Git data of " + name + ": " + ensured.built().size() + " tag(s) built and history pack in "
                            + buildMs + " ms, self-check " + checkMs + " ms");
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "derived Git data of " + name + " could not be built", e);
                status = GitStatus.failed("derived Git data could not be built: " + e.getMessage());
            }
        }
        return PackageInfos.compute(record, storage, registry.registeredNames().contains(name.value()), status, now);
    }

    private record TagOutcome(TagEntry entry, boolean created) {
    }

    /** What became of one wanted tag: an outcome, a reason it was skipped, or neither (nothing to do). */
    private record TagResult(TagOutcome outcome, String skipReason) {
    }

    private TagResult materialiseOrSkip(PackageName name, Upstream upstream, Repository repo, UpstreamTag tag, long now)
            throws IOException {
        try {
            return new TagResult(materialise(name, upstream, repo, tag, now).orElse(null), null);
        } catch (PackbaseException e) {
            if (e.code() != ErrorCode.LIMIT_EXCEEDED) {
                throw e;
            }
            return new TagResult(null, e.getMessage());
        } catch (SkipTag e) {
            return new TagResult(null, e.getMessage());
        }
    }

    /** A tag that is not turned into a tarball (for example one that points at a tree). */
    private static final class SkipTag extends Exception {
        private static final long serialVersionUID = 1L;

        SkipTag(String message) {
            super(message);
        }
    }

    private Optional<TagOutcome> materialise(PackageName name, Upstream upstream, Repository repo, UpstreamTag tag,
            long now) throws IOException, SkipTag {
        ObjectId refTarget = repo.resolve(tag.refName());
        if (refTarget == null) {
            throw new SkipTag("upstream did not send it");
        }
        try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader()) {
            RevObject object = walk.parseAny(refTarget);
            RevTag annotated = null;
            while (object instanceof RevTag t) {
                annotated = annotated == null ? t : annotated;
                object = walk.parseAny(t.getObject());
            }
            if (!(object instanceof RevCommit commit)) {
                throw new SkipTag("it points at a " + org.eclipse.jgit.lib.Constants.typeString(object.getType())
                        + ", not a commit");
            }
            walk.parseBody(commit);
            byte[] rawCommit = commit.getRawBuffer();
            ObjectId tree = commit.getTree().getId();
            ObjectId rootCommit = RootCommit.id(RootCommit.derive(rawCommit, tree));
            long commitTime = commit.getCommitterIdent().getWhenAsInstant().getEpochSecond();
            TarballWriter writer = new TarballWriter(config.ingest().maxTarballBytes(), config.ingest().maxFiles());
            String top = name.value() + "-" + tag.name();
            String tarballKey = StorageKeys.tarball(name, tag.name());

            TarballWriter.Result[] result = new TarballWriter.Result[1];
            boolean created = storage.createIfAbsent(tarballKey,
                    out -> result[0] = writer.write(reader, tree, top, commitTime, out));
            if (!created) {
                // A tarball without a record entry: a crash came between writing it and the record.
                // It is kept as it is (immutable) and adopted only if it is what this tag produces now.
                TarballWriter.Result fresh = writer.write(reader, tree, top, commitTime, OutputStream.nullOutputStream());
                Optional<TagManifest> manifest = registry.manifest(name, tag.name());
                if (manifest.isPresent() && manifest.get().tarSha256().equals(fresh.tarSha256())) {
                    return Optional.of(new TagOutcome(manifest.get().toEntry(), false));
                }
                Optional<Digests> stored = storedDigests(tarballKey);
                if (stored.isEmpty() || !stored.get().tarSha256().equals(fresh.tarSha256())) {
                    throw new SkipTag("a stored tarball exists for it that does not match upstream; it is left untouched");
                }
                result[0] = new TarballWriter.Result(stored.get().size(), stored.get().sha256(), stored.get().md5(),
                        stored.get().crc32(), fresh.tarSize(), fresh.tarSha256(), fresh.fileCount(), fresh.gitlinks(),
                        fresh.zig());
            }
            TarballWriter.Result r = result[0];
            TagManifest manifest = new TagManifest(TagManifest.FORMAT, name.value(), tag.name(), upstream.url(),
                    tag.refName(), tag.object().name(), annotated == null ? null : annotated.getId().name(),
                    commit.getId().name(), Base64.getEncoder().encodeToString(rawCommit), tree.name(), rootCommit.name(),
                    r.gitlinks(), commitTime,
                    new TagManifest.Tarball(tarballKey, r.gzSize(), r.gzSha256(), r.gzMd5(), r.gzCrc32()),
                    r.tarSize(), r.tarSha256(), r.fileCount(), now, config.release(),
                    r.gitlinks().isEmpty() ? List.of()
                            : List.of(r.gitlinks().size() + " submodule(s) recorded but not included in the tarball"),
                    ZigInfos.of(r.zig()));
            storage.replace(StorageKeys.manifest(name, tag.name()), out -> json.writeValue(out, manifest));
            return Optional.of(new TagOutcome(manifest.toEntry(), created));
        }
    }

    /** Digests of a stored tarball, or empty if it is not a readable .tar.gz at all. */
    private Optional<Digests> storedDigests(String key) {
        try {
            return Optional.of(Digests.of(storage, key));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warning(() -> "could not delete scratch directory " + dir + ": " + e.getMessage());
        }
    }
}
