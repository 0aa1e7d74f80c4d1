package dev.packbase.git;

import dev.packbase.domain.PackageName;
import dev.packbase.domain.ServedPackage;
import dev.packbase.domain.ServedPackage.ServedTag;
import dev.packbase.state.PackageState;
import dev.packbase.storage.StoredObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.pack.PackConfig;
import org.eclipse.jgit.storage.pack.PackStatistics;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.ServiceMayNotContinueException;
import org.eclipse.jgit.transport.UploadPack;

/**
 * The pseudo-Git layer's logic, independent of HTTP: it opens a package's derived repository (cached
 * until the package's state changes), answers depth-1 fetches of one commit with the pack ingest built
 * for it (see {@link PrebuiltPackRequest}) and every other smart upload-pack request (protocol v2 and
 * v0/v1) through JGit's UploadPack, and produces the dumb-HTTP files from the state. Request handling
 * only reads derived data.
 */
public final class GitService {
    private static final Logger LOG = Logger.getLogger(GitService.class.getName());
    private static final Pattern PACK_FILE = Pattern.compile("pack-[0-9a-f]{40}\\.(pack|idx)");

    private final PackageState registry;
    private final DerivedGit derived;
    private final Map<String, Served> cache = new ConcurrentHashMap<>();

    public GitService(PackageState registry, DerivedGit derived) {
        this.registry = registry;
        this.derived = derived;
    }

    /**
     * A package as the Git layer serves it: its state, derived index and repository, the commits whose
     * stored pack answers a depth-1 fetch whole, and the answers to ref listings already given.
     */
    public record Served(PackageName name, ServedPackage record, GitIndex index, PackageRepository repository,
            Map<String, ObjectId> refs, String headTag, Map<String, PrebuiltPackRequest.Prebuilt> prebuilt,
            RefAnswers refAnswers) {

        /** The pinned commits of the record whose derived data is in the index (as built for that record). */
        List<GitIndex.Tag> pinned() {
            return pinned(record, index);
        }

        static List<GitIndex.Tag> pinned(ServedPackage record, GitIndex index) {
            return index.commits().stream().filter(c -> record.commit(c.tag())
                    .filter(t -> t.commitOid().equals(c.commit())).isPresent()).toList();
        }

        void close() {
            repository.close();
        }
    }

    /** The package's Git view, or empty if the package is unknown or has no derived Git data yet. */
    public Optional<Served> open(PackageName name) throws IOException {
        Optional<ServedPackage> record = registry.served(name);
        if (record.isEmpty()) {
            return Optional.empty();
        }
        Served cached = cache.get(name.value());
        if (cached != null && cached.record() == record.get()) {
            return Optional.of(cached);
        }
        if (cached != null && cached.record().tags().equals(record.get().tags())
                && cached.record().commits().equals(record.get().commits())) {
            // A fetch that brought nothing new gives the package a new record (its check time) with the same
            // tags and commits: the view depends only on those, so it stays open, under the new record.
            Served same = new Served(name, record.get(), cached.index(), cached.repository(), cached.refs(),
                    cached.headTag(), cached.prebuilt(), cached.refAnswers());
            cache.replace(name.value(), cached, same);
            return Optional.of(same);
        }
        Optional<GitIndex> index = derived.index(name);
        if (index.isEmpty()) {
            return Optional.empty();
        }
        Map<String, ObjectId> refs = new TreeMap<>();
        List<String> packs = new ArrayList<>();
        for (ServedTag tag : record.get().tags()) {
            Optional<GitIndex.Tag> git = index.get().tag(tag.tag());
            if (git.isPresent() && git.get().commit().equals(tag.commitOid())) {
                refs.put(tag.tag(), ObjectId.fromString(tag.commitOid()));
                packs.add(git.get().pack());
            }
        }
        String head = record.get().tags().stream().filter(t -> refs.containsKey(t.tag()))
                .max(ServedPackage.LATEST_ORDER).map(ServedTag::tag).orElse(null);
        String history = index.get().historyPack();
        PackageRepository repository = PackageRepository.open(name.value(), derived.storage(), DerivedGit.packPrefix(name),
                packs.stream().distinct().toList(), history == null ? null : DerivedGit.historyPrefix(name) + history,
                refs, head);
        Served served = new Served(name, record.get(), index.get(), repository, refs, head,
                PrebuiltPackRequest.of(name, index.get(), refs, Served.pinned(record.get(), index.get())), new RefAnswers());
        Served previous = cache.put(name.value(), served);
        if (previous != null) {
            previous.close();
        }
        return Optional.of(served);
    }

    /** Forgets the cached view of a package after its derived data changed. */
    public void invalidate(PackageName name) {
        Served previous = cache.remove(name.value());
        if (previous != null) {
            previous.close();
        }
    }

    private static UploadPack uploadPack(Repository repository, String gitProtocol) {
        UploadPack up = new UploadPack(repository);
        PackConfig packing = new PackConfig(repository);
        // Requests only copy what ingest prepared: an object JGit cannot reuse as it is gets deflated
        // again, never delta-searched (the per-tag packs' sources say "no delta search was done").
        packing.setDeltaCompress(false);
        up.setPackConfig(packing);
        up.setBiDirectionalPipe(false);
        // Every served commit is a ref tip, so clients may want any of them by id (Zig's #<commit>).
        up.setRequestPolicy(UploadPack.RequestPolicy.TIP);
        up.setTimeout(120);
        if (gitProtocol != null && !gitProtocol.isBlank()) {
            // The Git-Protocol header carries "version=2" (colon-separated parameters): without it, v0.
            up.setExtraParameters(Arrays.asList(gitProtocol.split(":")));
        }
        return up;
    }

    /** {@code GET info/refs?service=git-upload-pack}: the v0 ref advertisement or the v2 capabilities. */
    public void advertise(Served served, String gitProtocol, OutputStream out) throws IOException {
        byte[] advertisement = served.refAnswers().get("advertisement", gitProtocol, new byte[0]);
        if (advertisement == null) {
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            UploadPack up = uploadPack(served.repository(), gitProtocol);
            try {
                up.sendAdvertisedRefs(new RefAdvertiser.PacketLineOutRefAdvertiser(new PacketLineOut(answer)), "git-upload-pack");
            } catch (ServiceMayNotContinueException e) {
                throw new IOException(e.getMessage(), e);
            }
            advertisement = answer.toByteArray();
            served.refAnswers().keep("advertisement", gitProtocol, new byte[0], advertisement);
        }
        out.write(advertisement);
    }

    /**
     * {@code POST git-upload-pack}. The body was read whole (bounded by the caller) so that requests
     * naming an upstream commit can be recognised before JGit sees them.
     */
    public void uploadPack(Served served, byte[] request, String gitProtocol, OutputStream out) throws IOException {
        upload(served, request, gitProtocol, out);
    }

    /**
     * {@link #uploadPack}, returning what JGit reports about the pack it sent (empty when no pack was
     * sent by JGit: ls-refs, refusals, upstream commits). Tests use it to see which representations
     * a request reused.
     */
    Optional<PackStatistics> upload(Served served, byte[] request, String gitProtocol, OutputStream out) throws IOException {
        byte[] body = WantLines.normalize(request);
        Optional<FetchRequest> parsed = FetchRequest.parse(body);
        if (PrebuiltPackRequest.answer(served, parsed, derived, out)) {
            return Optional.empty();
        }
        if (parsed.filter(r -> r.v2() && "ls-refs".equals(r.command())).isPresent()) {
            byte[] listing = served.refAnswers().get("ls-refs", gitProtocol, body);
            if (listing == null) {
                ByteArrayOutputStream answer = new ByteArrayOutputStream();
                boolean answered = jgit(served, served.repository(), body, gitProtocol, answer).answered();
                listing = answer.toByteArray();
                if (answered) {
                    served.refAnswers().keep("ls-refs", gitProtocol, body, listing);
                }
            }
            out.write(listing);
            return Optional.empty();
        }
        List<String> packs = parsed.filter(FetchRequest::shallowByDepth).map(r -> tagPacks(served, r.wants())).orElse(null);
        if (packs == null) {
            return Optional.ofNullable(jgit(served, served.repository(), body, gitProtocol, out).stats());
        }
        try (PackageRepository view = PackageRepository.open(served.name().value(), derived.storage(),
                DerivedGit.packPrefix(served.name()), packs, null, served.refs(), served.headTag())) {
            return Optional.ofNullable(jgit(served, view, body, gitProtocol, out).stats());
        }
    }

    /** What JGit did with a request: whether it answered it (rather than refusing or failing), and its pack's statistics. */
    private record JGitAnswer(boolean answered, PackStatistics stats) {
    }

    private static JGitAnswer jgit(Served served, Repository repository, byte[] body, String gitProtocol, OutputStream out)
            throws IOException {
        UploadPack up = uploadPack(repository, gitProtocol);
        try {
            up.uploadWithExceptionPropagation(new ByteArrayInputStream(body), out, null);
        } catch (ServiceMayNotContinueException e) {
            if (!e.isOutput()) {
                out.write(PktLines.error(e.getMessage()));
            }
            LOG.fine(() -> "upload-pack for " + served.name() + " refused: " + e.getMessage());
            return new JGitAnswer(false, null);
        } catch (IOException | RuntimeException e) {
            // What JGit's own upload() would say, except for a store that is away for now: git prints
            // "remote error: <message>", and the client can tell it to retry.
            // A client that went away mid-pack lands here too, so the message may find no reader.
            boolean unavailable = dev.packbase.storage.StorageUnavailableException.in(e).isPresent();
            try {
                out.write(PktLines.error(unavailable ? "the registry's storage is unavailable; retry in a few seconds"
                        : "internal server error"));
            } catch (IOException gone) {
                // nobody to tell
            }
            LOG.log(unavailable ? java.util.logging.Level.WARNING : java.util.logging.Level.FINE,
                    "upload-pack for " + served.name() + " failed: " + e);
            return new JGitAnswer(false, null);
        }
        PackStatistics stats = up.getStatistics();
        if (stats != null) {
            LOG.fine(() -> String.format("upload-pack for %s: %d objects, %d reused, %d deltas, %d whole packs, %d bytes",
                    served.name(), stats.getTotalObjects(), stats.getReusedObjects(), stats.getTotalDeltas(),
                    stats.getReusedPacks().size(), stats.getTotalBytes()));
        }
        return new JGitAnswer(true, stats);
    }

    /**
     * The per-tag packs that hold everything a shallow fetch of {@code wants} needs, or null when a
     * want is not a served tag commit. A served commit has no parents, so its tag's pack (the commit
     * and its whole tree) is all a fetch by depth can need. Serving from a view of just those packs
     * matters: JGit looks up every object to send in every pack of the repository and reads its
     * header there, and a file unchanged across many releases is in that many per-tag packs.
     */
    private static List<String> tagPacks(Served served, List<String> wants) {
        if (wants.isEmpty()) {
            return null;
        }
        java.util.Set<String> packs = new java.util.TreeSet<>();
        for (String want : wants) {
            Optional<GitIndex.Tag> tag = served.index().tags().stream()
                    .filter(t -> t.commit().equals(want) && served.refs().containsKey(t.tag())).findFirst();
            if (tag.isEmpty()) {
                return null;
            }
            packs.add(tag.get().pack());
        }
        return List.copyOf(packs);
    }

    /** Dumb HTTP {@code info/refs}: one {@code <id>\t<ref>} line per tag. */
    public byte[] dumbInfoRefs(Served served) {
        StringBuilder s = new StringBuilder();
        served.refs().forEach((tag, id) -> s.append(id.name()).append('\t').append("refs/tags/").append(tag).append('\n'));
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Dumb HTTP {@code HEAD}: a symbolic ref to the latest tag. */
    public byte[] dumbHead(Served served) {
        return served.headTag() == null ? new byte[0]
                : ("ref: refs/tags/" + served.headTag() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Dumb HTTP {@code objects/info/packs}. */
    public byte[] dumbPacks(Served served) {
        StringBuilder s = new StringBuilder();
        served.refs().keySet().stream().map(tag -> served.index().tag(tag).orElseThrow().pack()).distinct().sorted()
                .forEach(p -> s.append("P ").append(p).append(".pack\n"));
        s.append('\n');
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A pack or index file of the package for dumb HTTP, by its exact name; the caller closes it. */
    public Optional<StoredObject> packFile(Served served, String fileName) throws IOException {
        if (!PACK_FILE.matcher(fileName).matches()) {
            return Optional.empty();
        }
        String pack = fileName.substring(0, fileName.lastIndexOf('.'));
        boolean listed = served.refs().keySet().stream()
                .anyMatch(tag -> served.index().tag(tag).map(GitIndex.Tag::pack).orElse("").equals(pack));
        return listed ? derived.storage().read(DerivedGit.packPrefix(served.name()) + fileName) : Optional.empty();
    }

    /** Builds an in-memory request body from pkt-lines (used by the fetchability check). */
    static byte[] request(String... lines) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : lines) {
            if (line.equals(PktLines.FLUSH) || line.equals(PktLines.DELIM)) {
                PktLines.special(out, line);
            } else {
                PktLines.write(out, line + "\n");
            }
        }
        return out.toByteArray();
    }
}
