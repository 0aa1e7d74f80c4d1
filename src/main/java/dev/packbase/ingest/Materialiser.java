package dev.packbase.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.WorkPool;
import dev.packbase.config.Config;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.TagEntry;
import dev.packbase.domain.TagManifest;
import dev.packbase.git.RootCommit;
import dev.packbase.state.PackageState;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * The materialise stage: one immutable tarball and one manifest per fetched tag or pinned commit. Tags are
 * independent and gzip is most of the work, so they are written in parallel on the work pool;
 * outcomes come back in the order given. A tarball that exists without a record entry (a crash came
 * between writing it and the record) is adopted only if it is exactly what the tag produces now.
 */
public final class Materialiser {
    /** What became of one tag. */
    public sealed interface Outcome {
        UpstreamTag tag();
    }

    /** A tarball and manifest exist for the tag; {@code created} when this ingest wrote the tarball. */
    public record Landed(UpstreamTag tag, TagEntry entry, boolean created) implements Outcome {
    }

    /** The tag is not turned into a tarball (it points at a tree, breaks a limit): remembered until it moves. */
    public record Skipped(UpstreamTag tag, String reason) implements Outcome {
    }

    /** The tag's objects did not arrive complete: reported, and tried again by the next fetch. */
    public record Failed(UpstreamTag tag, String reason) implements Outcome {
    }

    private final Storage storage;
    private final PackageState state;
    private final ObjectMapper json;
    private final Config.Ingest limits;
    private final String release;
    private final WorkPool work;

    public Materialiser(Storage storage, PackageState state, ObjectMapper json, Config.Ingest limits, String release,
            WorkPool work) {
        this.storage = storage;
        this.state = state;
        this.json = json;
        this.limits = limits;
        this.release = release;
        this.work = work;
    }

    /** Materialises every tag of every fetched batch, in parallel; outcomes in batch and tag order. */
    public List<Outcome> materialise(PackageName name, String url, Fetched fetched, long now) throws IOException {
        record Job(Repository repository, UpstreamTag tag) {
        }
        List<Job> jobs = new ArrayList<>();
        for (Fetched.Batch batch : fetched.batches()) {
            batch.tags().forEach(t -> jobs.add(new Job(batch.repository(), t)));
        }
        return work.map(jobs, job -> materialise(name, url, job.repository(), job.tag(), now));
    }

    private Outcome materialise(PackageName name, String url, Repository repo, UpstreamTag tag, long now)
            throws IOException {
        try {
            return write(name, url, repo, tag, now);
        } catch (PackbaseException e) {
            if (e.code() != ErrorCode.LIMIT_EXCEEDED) {
                throw e;
            }
            return new Skipped(tag, e.getMessage());
        } catch (MissingObjectException | CorruptObjectException e) {
            return new Failed(tag, UpstreamText.clean("upstream sent it incomplete: " + e.getMessage()));
        }
    }

    private Outcome write(PackageName name, String url, Repository repo, UpstreamTag tag, long now) throws IOException {
        // A commit fetched by id is read by that id: JGit records a want of a bare id in no local ref.
        ObjectId refTarget = tag.kind() == RefKind.TAG ? repo.resolve(tag.refName())
                : repo.getObjectDatabase().has(tag.object()) ? tag.object() : null;
        if (refTarget == null) {
            return new Failed(tag, "upstream did not send it");
        }
        try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader()) {
            RevObject object = walk.parseAny(refTarget);
            RevTag annotated = null;
            while (object instanceof RevTag t) {
                annotated = annotated == null ? t : annotated;
                object = walk.parseAny(t.getObject());
            }
            if (!(object instanceof RevCommit commit)) {
                return new Skipped(tag, "it points at a " + Constants.typeString(object.getType()) + ", not a commit");
            }
            walk.parseBody(commit);
            byte[] rawCommit = commit.getRawBuffer();
            ObjectId tree = commit.getTree().getId();
            ObjectId rootCommit = RootCommit.id(RootCommit.derive(rawCommit, tree));
            long commitTime = commit.getCommitterIdent().getWhenAsInstant().getEpochSecond();
            TarballWriter writer = new TarballWriter(limits.maxTarballBytes(), limits.maxFiles());
            String top = name.value() + "-" + tag.name();
            String tarballKey = StorageKeys.tarball(name, tag.kind(), tag.name());

            TarballWriter.Result[] result = new TarballWriter.Result[1];
            boolean created = storage.createIfAbsent(tarballKey,
                    out -> result[0] = writer.write(reader, tree, top, commitTime, out));
            if (!created) {
                // Kept as it is (immutable); adopted only if it is what this tag produces now.
                TarballWriter.Result fresh = writer.write(reader, tree, top, commitTime, OutputStream.nullOutputStream());
                Optional<TagManifest> manifest = state.manifest(name, tag.kind(), tag.name());
                if (manifest.isPresent() && manifest.get().tarSha256().equals(fresh.tarSha256())) {
                    return new Landed(tag, manifest.get().toEntry(), false);
                }
                Optional<Digests> stored = storedDigests(tarballKey);
                if (stored.isEmpty() || !stored.get().tarSha256().equals(fresh.tarSha256())) {
                    return new Skipped(tag, "a stored tarball exists for it that does not match upstream; it is left untouched");
                }
                result[0] = new TarballWriter.Result(stored.get().size(), stored.get().sha256(), stored.get().md5(),
                        stored.get().crc32(), fresh.tarSize(), fresh.tarSha256(), fresh.fileCount(), fresh.gitlinks(),
                        fresh.zig());
            }
            TarballWriter.Result r = result[0];
            TagManifest manifest = new TagManifest(TagManifest.FORMAT, name.value(), tag.name(), url,
                    tag.kind() == RefKind.TAG ? tag.refName() : tag.name(), tag.object().name(), annotated == null ? null : annotated.getId().name(),
                    commit.getId().name(), Base64.getEncoder().encodeToString(rawCommit), tree.name(), rootCommit.name(),
                    r.gitlinks(), commitTime,
                    new TagManifest.Tarball(tarballKey, r.gzSize(), r.gzSha256(), r.gzMd5(), r.gzCrc32()),
                    r.tarSize(), r.tarSha256(), r.fileCount(), now, release,
                    r.gitlinks().isEmpty() ? List.of()
                            : List.of(r.gitlinks().size() + " submodule(s) recorded but not included in the tarball"),
                    ZigInfos.of(r.zig()));
            // Immutable like the tarball: a writer that raced this one (another node) may have stored its
            // manifest first; its manifest is adopted when it describes the same tarball.
            if (!storage.createIfAbsent(StorageKeys.manifest(name, tag.kind(), tag.name()),
                    out -> json.writeValue(out, manifest))) {
                Optional<TagManifest> stored = state.manifest(name, tag.kind(), tag.name());
                if (stored.isEmpty() || !stored.get().tarSha256().equals(r.tarSha256())) {
                    return new Skipped(tag, "a stored manifest exists for it that does not match its tarball; it is left untouched");
                }
                return new Landed(tag, stored.get().toEntry(), created);
            }
            return new Landed(tag, manifest.toEntry(), created);
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
}
