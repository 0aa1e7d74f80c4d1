package dev.packbase.git;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.WorkPool;
import dev.packbase.domain.PackageName;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.TagEntry;
import dev.packbase.domain.TagManifest;
import dev.packbase.storage.Storage;
import dev.packbase.storage.StorageKeys;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.internal.storage.pack.PackExt;
import org.eclipse.jgit.internal.storage.pack.PackWriter;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.ObjectWalk;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.storage.pack.PackConfig;

/**
 * Builds the derived Git data of a package at ingest time, from its tarballs and manifests only: for
 * each tag a pack holding the served parentless commit and its tree, and (when upstream's commit is a
 * different object) a separate pack holding the upstream commit with the same tree, for clients that
 * pinned the upstream id; and one history pack per package, with deltas across tags, for full clones
 * (see {@link HistoryPack}). The tree is rebuilt from the tarball and must come out as the id
 * upstream recorded, which also proves the tarball complete. Packs are written once under their
 * content name and never change; the index is replaced atomically, after the packs it names.
 */
public final class DerivedGit {
    private static final Logger LOG = Logger.getLogger(DerivedGit.class.getName());
    /** The history pack's files: the bitmap is what lets JGit send the pack whole to a full clone. */
    private static final List<String> HISTORY_EXTS = List.of(".pack", ".idx", ".bitmap");
    /** A scratch repository is started afresh past this many bytes of packed objects (memory bound). */
    private static final long SCRATCH_LIMIT = 64L << 20;
    private final Storage storage;
    private final ObjectMapper json;
    private final WorkPool work;

    public DerivedGit(Storage storage, ObjectMapper json, WorkPool work) {
        this.storage = storage;
        this.json = json;
        this.work = work;
    }

    /** Builds one tag at a time (tools and tests that only read indexes). */
    public DerivedGit(Storage storage, ObjectMapper json) {
        this(storage, json, new WorkPool(1));
    }

    /** The store the packs are in: the Git layer reads them from here, never from files. */
    Storage storage() {
        return storage;
    }

    /** Where the per-tag packs are: {@code <prefix>pack-<id>.pack} and {@code .idx}. */
    static String packPrefix(PackageName pkg) {
        return StorageKeys.gitDir(pkg) + "packs/";
    }

    /** Where the history pack lives: apart from the per-tag packs, since its name can equal one of theirs. */
    static String historyPrefix(PackageName pkg) {
        return StorageKeys.gitDir(pkg) + "history/";
    }

    /** Where the packs of upstream commits are: {@code <prefix><upstream commit id>.pack}. */
    static String upstreamPrefix(PackageName pkg) {
        return StorageKeys.gitDir(pkg) + "upstream/";
    }

    public Optional<GitIndex> index(PackageName pkg) throws IOException {
        String key = StorageKeys.gitDir(pkg) + "index.json";
        if (storage.stat(key).isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = storage.open(key)) {
            return Optional.of(json.readValue(in, GitIndex.class));
        }
    }

    /** The manifest of one tag or pinned commit, read only for those whose packs have to be built. */
    @FunctionalInterface
    public interface Manifests {
        TagManifest of(RefKind kind, String name) throws IOException;
    }

    /**
     * Makes sure every given tag has its packs, building what is missing or broken (reading only those tags'
     * manifests), then the history pack of all of them, and replaces the index when anything was built or it names
     * other tags or packs. An ingest that brought nothing new leaves the index, and so the Git layer's open view,
     * as they are.
     */
    public Ensured ensure(PackageName pkg, List<TagEntry> entries, List<TagEntry> commitEntries, Manifests manifests)
            throws IOException {
        Optional<GitIndex> previous = index(pkg);
        Map<String, GitIndex.Tag> known = new LinkedHashMap<>();
        previous.ifPresent(i -> i.tags().forEach(t -> known.put(t.tag(), t)));
        List<TagManifest> missing = new ArrayList<>();
        for (TagEntry entry : entries) {
            GitIndex.Tag existing = known.get(entry.tag());
            if (existing == null || !present(pkg, existing)) {
                missing.add(manifests.of(RefKind.TAG, entry.tag()));
            }
        }
        Map<String, GitIndex.Tag> knownCommits = new HashMap<>();
        previous.ifPresent(i -> i.commits().forEach(c -> knownCommits.put(c.tag(), c)));
        List<GitIndex.Tag> commits = new ArrayList<>();
        java.util.Set<String> builtCommits = new java.util.TreeSet<>();
        for (TagEntry entry : commitEntries) {
            GitIndex.Tag existing = knownCommits.get(entry.tag());
            if (existing == null || !present(pkg, existing)) {
                existing = buildCommit(pkg, manifests.of(RefKind.COMMIT, entry.tag()));
                builtCommits.add(entry.tag());
            }
            commits.add(existing);
        }
        // Contiguous runs of releases in version order, one per worker: neighbouring releases share
        // most files, and a run's shared scratch repository deflates each of them once (see build).
        missing.sort(java.util.Comparator.comparing(TagManifest::toEntry, PackageRecord.LATEST_ORDER));
        int runs = Math.min(work.threads(), missing.size());
        List<List<TagManifest>> slices = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            slices.add(missing.subList(r * missing.size() / runs, (r + 1) * missing.size() / runs));
        }
        Map<String, GitIndex.Tag> fresh = new HashMap<>();
        work.map(slices, slice -> buildRun(pkg, slice)).forEach(run -> run.forEach(t -> fresh.put(t.tag(), t)));
        List<GitIndex.Tag> tags = new ArrayList<>();
        for (TagEntry entry : entries) {
            tags.add(fresh.containsKey(entry.tag()) ? fresh.get(entry.tag()) : known.get(entry.tag()));
        }
        java.util.Set<String> built = new java.util.TreeSet<>(fresh.keySet());
        built.addAll(builtCommits);
        String before = previous.map(GitIndex::historyPack).orElse(null);
        boolean historyIntact = before != null && historyPresent(pkg, before);
        String history = before;
        // Pinned commits are not in the history pack: only tags count here.
        if (!fresh.isEmpty() || previous.isEmpty() || !previous.get().tags().equals(tags) || !historyIntact) {
            history = buildHistory(pkg, entries, tags);
        }
        GitIndex index = new GitIndex(GitIndex.FORMAT, pkg.value(), tags, history, commits);
        // A rebuilt file can have the name of one an open view failed to read, so it counts as a change too.
        boolean changed = !built.isEmpty() || previous.isEmpty() || !previous.get().equals(index)
                || history != null && !historyIntact;
        if (changed) {
            storage.replace(StorageKeys.gitDir(pkg) + "index.json", out -> json.writeValue(out, index));
            deleteStaleHistory(pkg, history, before);
        }
        return new Ensured(index, built, changed);
    }

    /**
     * Unlike per-tag packs, a history pack is replaced whenever a tag is added. The one the previous
     * index named stays, for requests still reading it; older ones go.
     */
    private void deleteStaleHistory(PackageName pkg, String current, String previous) throws IOException {
        String prefix = historyPrefix(pkg);
        for (String key : storage.list(prefix)) {
            String file = key.substring(prefix.length());
            String name = file.contains(".") ? file.substring(0, file.indexOf('.')) : file;
            if (!name.equals(current) && !name.equals(previous)) {
                storage.delete(key);
            }
        }
    }

    /** Builds the packs of consecutive tags in one scratch repository, started afresh when it grows large. */
    private List<GitIndex.Tag> buildRun(PackageName pkg, List<TagManifest> run) throws IOException {
        List<GitIndex.Tag> tags = new ArrayList<>();
        InMemoryRepository scratch = null;
        try {
            for (TagManifest m : run) {
                if (scratch == null || packBytes(scratch) > SCRATCH_LIMIT) {
                    if (scratch != null) {
                        scratch.close();
                    }
                    scratch = new InMemoryRepository(new DfsRepositoryDescription("derive/" + pkg));
                }
                tags.add(build(pkg, m, scratch));
            }
        } finally {
            if (scratch != null) {
                scratch.close();
            }
        }
        return tags;
    }

    /** The index after {@link #ensure}, the tags whose packs it had to build, and whether anything was written. */
    public record Ensured(GitIndex index, java.util.Set<String> built, boolean changed) {
    }

    /**
     * Whether every given tag (tag name → served commit) and pinned commit (by id) has its derived data,
     * files included.
     */
    public boolean complete(PackageName pkg, Map<String, String> servedCommits, java.util.Set<String> pinned)
            throws IOException {
        Optional<GitIndex> index = index(pkg);
        if (index.isEmpty()) {
            return false;
        }
        if (!pinned.isEmpty()) {
            java.util.Set<String> upstream = new java.util.HashSet<>(storage.names(upstreamPrefix(pkg)));
            for (String id : pinned) {
                Optional<GitIndex.Tag> c = index.get().commits().stream().filter(t -> t.tag().equals(id)).findFirst();
                if (c.isEmpty() || !upstream.contains(c.get().upstreamPack())) {
                    return false;
                }
            }
        }
        // Runs for every package at startup: one listing per directory instead of a stat per file
        // (about 25 per package of 10 tags; 10,000 packages took 2 s on two cores).
        java.util.Set<String> packs = new java.util.HashSet<>(storage.names(packPrefix(pkg)));
        java.util.Set<String> upstream = null;
        for (Map.Entry<String, String> e : servedCommits.entrySet()) {
            Optional<GitIndex.Tag> tag = index.get().tag(e.getKey());
            if (tag.isEmpty() || !tag.get().commit().equals(e.getValue())) {
                return false;
            }
            GitIndex.Tag t = tag.get();
            if (!packs.contains(t.pack() + ".pack") || !packs.contains(t.pack() + ".idx")) {
                return false;
            }
            if (t.upstreamPack() != null) {
                upstream = upstream == null ? new java.util.HashSet<>(storage.names(upstreamPrefix(pkg))) : upstream;
                if (!upstream.contains(t.upstreamPack())) {
                    return false;
                }
            }
        }
        String history = index.get().historyPack();
        if (history == null) {
            // Either fewer than two distinct commits, or an index from before history packs: build one.
            return index.get().tags().stream().map(GitIndex.Tag::commit).distinct().count() < 2;
        }
        java.util.Set<String> histories = new java.util.HashSet<>(storage.names(historyPrefix(pkg)));
        return HISTORY_EXTS.stream().allMatch(ext -> histories.contains(history + ext));
    }

    private boolean historyPresent(PackageName pkg, String name) throws IOException {
        for (String ext : HISTORY_EXTS) {
            if (storage.stat(historyPrefix(pkg) + name + ext).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Builds the history pack of the given tags from their per-tag packs, releases in "latest" order
     * (semver, then commit time, then name: see {@link PackageRecord#LATEST_ORDER}), so the same
     * tag set gives the same bytes however and in which order its tags were ingested.
     */
    private String buildHistory(PackageName pkg, List<TagEntry> entries, List<GitIndex.Tag> tags) throws IOException {
        Map<String, GitIndex.Tag> byName = new HashMap<>();
        tags.forEach(t -> byName.put(t.tag(), t));
        List<ObjectId> oldestFirst = entries.stream().sorted(PackageRecord.LATEST_ORDER)
                .map(t -> ObjectId.fromString(byName.get(t.tag()).commit())).toList();
        long start = System.nanoTime();
        try (PackageRepository perTag = PackageRepository.open("derive-history/" + pkg.value(), storage, packPrefix(pkg),
                tags.stream().map(GitIndex.Tag::pack).distinct().toList(), null, Map.of(), null);
                ObjectReader reader = perTag.newObjectReader();
                HistoryPack history = HistoryPack.prepare(reader, oldestFirst)) {
            if (history == null) {
                return null;
            }
            String base = historyPrefix(pkg) + history.name();
            boolean missing = false;
            for (String ext : HISTORY_EXTS) {
                missing |= storage.stat(base + ext).isEmpty();
            }
            if (missing) {
                // As for per-tag packs: the three files come from one writer, so all are written again.
                storage.replace(base + ".pack", history::writePack);
                storage.replace(base + ".idx", history::writeIndex);
                storage.replace(base + ".bitmap", history::writeBitmaps);
            }
            LOG.info(() -> String.format("history pack of %s: %d objects, %d deltas, %d ms", pkg, history.objects(),
                    history.deltas(), (System.nanoTime() - start) / 1_000_000));
            return history.name();
        }
    }

    private boolean present(PackageName pkg, GitIndex.Tag tag) throws IOException {
        String packs = packPrefix(pkg);
        boolean own = tag.pack() == null
                || storage.stat(packs + tag.pack() + ".pack").isPresent() && storage.stat(packs + tag.pack() + ".idx").isPresent();
        return own && (tag.upstreamPack() == null || storage.stat(upstreamPrefix(pkg) + tag.upstreamPack()).isPresent());
    }

    private static long packBytes(InMemoryRepository repo) throws IOException {
        long bytes = 0;
        for (var pack : repo.getObjectDatabase().getPacks()) {
            bytes += pack.getPackDescription().getFileSize(PackExt.PACK);
        }
        return bytes;
    }

    /**
     * Builds one tag's packs in {@code repo}, a scratch repository shared by the tags built in one
     * {@link #ensure}: JGit's inserter skips objects it already has, so a file unchanged since the
     * tag built before is hashed but not compressed again (deflate was the largest cost of building),
     * and PackWriter copies its compressed bytes. The packs come out the same bytes either way.
     */
    private GitIndex.Tag build(PackageName pkg, TagManifest m, InMemoryRepository repo) throws IOException {
        Commits c = insert(pkg, RefKind.TAG, m, repo);
        String pack = writePack(repo, c.served(), c.tree(), packPrefix(pkg), true);
        String upstreamPack = null;
        if (!c.upstream().equals(c.served())) {
            upstreamPack = writePack(repo, c.upstream(), c.tree(), upstreamPrefix(pkg), false);
        }
        return new GitIndex.Tag(m.tag(), c.served().name(), c.tree().name(), c.upstream().name(), pack, upstreamPack);
    }

    /**
     * Builds a pinned commit's one pack: the upstream commit with its tree, served by that id alone. No ref
     * names the commit, so even when it is its own served form (a root commit) it is served from this pack.
     */
    private GitIndex.Tag buildCommit(PackageName pkg, TagManifest m) throws IOException {
        try (InMemoryRepository repo = new InMemoryRepository(new DfsRepositoryDescription("derive/" + pkg))) {
            Commits c = insert(pkg, RefKind.COMMIT, m, repo);
            String upstreamPack = writePack(repo, c.upstream(), c.tree(), upstreamPrefix(pkg), false);
            return new GitIndex.Tag(m.tag(), c.served().name(), c.tree().name(), c.upstream().name(), null, upstreamPack);
        }
    }

    /** The objects of one version: its tree, the parentless commit served for it, and upstream's commit. */
    private record Commits(ObjectId tree, ObjectId served, ObjectId upstream) {
    }

    /**
     * Rebuilds a version's tree from its tarball and inserts both commits; each must come out as the id
     * its manifest records.
     */
    private Commits insert(PackageName pkg, RefKind kind, TagManifest m, InMemoryRepository repo) throws IOException {
        byte[] upstreamRaw = Base64.getDecoder().decode(m.upstreamCommitRaw());
        ObjectId tree;
        ObjectId served;
        ObjectId upstream;
        try (ObjectInserter ins = repo.newObjectInserter();
                ObjectReader existing = repo.newObjectReader();
                InputStream tarball = storage.open(StorageKeys.tarball(pkg, kind, m.tag()))) {
            tree = TarballTree.insert(tarball, pkg.value() + "-" + m.tag(), m.gitlinks(), ins, existing);
            if (!tree.name().equals(m.treeOid())) {
                throw new IOException("tree rebuilt from the tarball of " + pkg + " " + m.tag() + " is " + tree.name()
                        + ", the manifest says " + m.treeOid());
            }
            served = ins.insert(Constants.OBJ_COMMIT, RootCommit.derive(upstreamRaw, tree));
            upstream = ins.insert(Constants.OBJ_COMMIT, upstreamRaw);
            ins.flush();
        }
        if (!served.name().equals(m.commitOid()) || !upstream.name().equals(m.upstreamCommit())) {
            throw new IOException("derived commits of " + pkg + " " + m.tag() + " do not match the manifest");
        }
        return new Commits(tree, served, upstream);
    }

    /**
     * Packs {@code commit} and the closure of {@code tree}, never the commit's parents (a served
     * commit has none; an upstream commit's are not here). One thread keeps delta search, and so the
     * bytes, stable; the name is the SHA-1 of the object ids, independent of compression.
     */
    private String writePack(InMemoryRepository repo, ObjectId commit, ObjectId tree, String base, boolean withIndex)
            throws IOException {
        PackConfig config = new PackConfig(repo);
        config.setThreads(1);
        // One tree's files rarely delta well against each other, and the search dominated ingest time
        // time. Objects are zlib-compressed whole; packs stay deterministic.
        config.setDeltaCompress(false);
        List<RevObject> objects = new ArrayList<>();
        try (ObjectWalk walk = new ObjectWalk(repo)) {
            objects.add(walk.parseAny(commit));
            walk.markStart(walk.parseTree(tree));
            objects.add(walk.parseTree(tree));
            RevObject o;
            while ((o = walk.nextObject()) != null) {
                objects.add(o);
            }
        }
        try (PackWriter writer = new PackWriter(config, repo.newObjectReader())) {
            writer.preparePack(objects.iterator());
            String name = "pack-" + writer.computeName().name();
            String packKey = base + (withIndex ? name + ".pack" : commit.name() + ".pack");
            if (withIndex) {
                String idxKey = base + name + ".idx";
                if (storage.stat(packKey).isEmpty() || storage.stat(idxKey).isEmpty()) {
                    // A pack without its index was never served (a crash came between the two writes),
                    // so both are written again: the index can only come from the writer of the pack.
                    storage.replace(packKey, out -> writer.writePack(NullProgressMonitor.INSTANCE,
                            NullProgressMonitor.INSTANCE, out));
                    storage.replace(idxKey, writer::writeIndex);
                }
                return name;
            }
            storage.createIfAbsent(packKey, out -> writer.writePack(NullProgressMonitor.INSTANCE,
                    NullProgressMonitor.INSTANCE, out));
            return commit.name() + ".pack";
        }
    }
}
