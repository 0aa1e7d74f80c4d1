package dev.packbase.testing;

import dev.packbase.ErrorCode;
import dev.packbase.domain.RefKind;
import dev.packbase.PackbaseException;
import dev.packbase.ingest.Upstream;
import dev.packbase.ingest.UpstreamTag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TagBuilder;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * An {@link Upstream} whose repository a test writes in memory: commits (each the child of the one
 * before), lightweight and annotated tags, and scripted fetch failures. It records every fetch, so a
 * test can assert what ingest asked for. No process, no network, no file.
 */
public final class ScriptedUpstream implements Upstream {
    private static final PersonIdent UPSTREAM = new PersonIdent("Ada Upstream", "ada@upstream.example");

    private final String url;
    private final InMemoryRepository repository;
    private final List<List<String>> fetches = new ArrayList<>();
    private ObjectId head;
    private String fetchFailure;
    private final Map<String, String> unpackable = new java.util.LinkedHashMap<>();

    public ScriptedUpstream(String url) {
        this.url = url;
        this.repository = new InMemoryRepository(new DfsRepositoryDescription(url));
    }

    /** Commits exactly {@code files} (path → UTF-8 content; directories follow from the paths) at {@code epochSeconds}. */
    public ObjectId commit(long epochSeconds, Map<String, String> files) {
        try (ObjectInserter ins = repository.newObjectInserter()) {
            DirCache index = DirCache.newInCore();
            DirCacheBuilder builder = index.builder();
            for (Map.Entry<String, String> f : new TreeMap<>(files).entrySet()) {
                DirCacheEntry entry = new DirCacheEntry(f.getKey());
                entry.setFileMode(FileMode.REGULAR_FILE);
                entry.setObjectId(ins.insert(Constants.OBJ_BLOB, f.getValue().getBytes(StandardCharsets.UTF_8)));
                builder.add(entry);
            }
            builder.finish();
            PersonIdent who = new PersonIdent(UPSTREAM, Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC);
            CommitBuilder c = new CommitBuilder();
            c.setTreeId(index.writeTree(ins));
            if (head != null) {
                c.setParentId(head);
            }
            c.setAuthor(who);
            c.setCommitter(who);
            c.setMessage("commit at " + epochSeconds + "\n");
            head = ins.insert(c);
            ins.flush();
            return head;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tree of a commit, for a tag that points at a tree instead of a commit. */
    public ObjectId treeOf(ObjectId commit) {
        try (RevWalk walk = new RevWalk(repository)) {
            return walk.parseCommit(commit).getTree().getId();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Points {@code refs/tags/<name>} at {@code target} (creating or moving it). */
    public ScriptedUpstream tag(String name, ObjectId target) {
        setRef(name, target);
        return this;
    }

    /** Creates an annotated tag object for {@code commit} and points {@code refs/tags/<name>} at it. */
    public ScriptedUpstream annotatedTag(String name, ObjectId commit, String message) {
        try (ObjectInserter ins = repository.newObjectInserter()) {
            TagBuilder t = new TagBuilder();
            t.setTag(name);
            t.setObjectId(commit, Constants.OBJ_COMMIT);
            t.setTagger(UPSTREAM);
            t.setMessage(message + "\n");
            ObjectId id = ins.insert(t);
            ins.flush();
            setRef(name, id);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ScriptedUpstream deleteTag(String name) {
        try {
            var update = repository.updateRef(Constants.R_TAGS + name);
            update.setForceUpdate(true);
            update.delete();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes every later {@link #fetch} fail as an unreachable upstream does ({@code upstream_failed}). */
    public ScriptedUpstream failFetches(String message) {
        this.fetchFailure = message;
        return this;
    }

    /**
     * Makes every later {@link #fetch} whose tags include {@code tag} fail with {@code message}, as a
     * server that cannot produce the pack of that tag's objects does: the whole request fails, whatever
     * else it asked for.
     */
    public ScriptedUpstream failFetchesOf(String tag, String message) {
        unpackable.put(tag, message);
        return this;
    }

    /** Lets fetches of {@code tag} succeed again (upstream repaired it). */
    public ScriptedUpstream repair(String tag) {
        unpackable.remove(tag);
        return this;
    }

    /** The tag names of every fetch so far, one list per call. */
    public List<List<String>> fetches() {
        return List.copyOf(fetches);
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public List<UpstreamTag> listTags() {
        try (RevWalk walk = new RevWalk(repository)) {
            List<UpstreamTag> tags = new ArrayList<>();
            for (var ref : repository.getRefDatabase().getRefsByPrefix(Constants.R_TAGS)) {
                ObjectId object = ref.getObjectId();
                ObjectId peeled = walk.peel(walk.parseAny(object)).getId();
                tags.add(new UpstreamTag(ref.getName().substring(Constants.R_TAGS.length()), object,
                        peeled.equals(object) ? null : peeled));
            }
            return tags;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Repository fetch(List<UpstreamTag> tags, Path scratch) {
        fetches.add(tags.stream().map(UpstreamTag::name).toList());
        if (fetchFailure != null) {
            throw new PackbaseException(ErrorCode.UPSTREAM_FAILED, "fetching " + url + " failed: " + fetchFailure);
        }
        for (UpstreamTag tag : tags) {
            if (unpackable.containsKey(tag.name())) {
                throw new PackbaseException(ErrorCode.UPSTREAM_FAILED,
                        "fetching " + url + " failed: " + unpackable.get(tag.name()));
            }
        }
        for (UpstreamTag tag : tags) {
            if (tag.kind() == RefKind.COMMIT) {
                // An id upstream lacks is refused as git does.
                if (!has(tag.object())) {
                    throw new PackbaseException(ErrorCode.UPSTREAM_FAILED, "fetching " + url
                            + " failed: remote error: upload-pack: not our ref " + tag.name());
                }
            }
        }
        // The caller closes what it is given; the repository stays open for the next fetch.
        repository.incrementOpen();
        return repository;
    }

    private boolean has(ObjectId id) {
        try {
            return repository.getObjectDatabase().has(id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void setRef(String name, ObjectId target) {
        try {
            var update = repository.updateRef(Constants.R_TAGS + name);
            update.setNewObjectId(target);
            update.setForceUpdate(true);
            update.update();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
