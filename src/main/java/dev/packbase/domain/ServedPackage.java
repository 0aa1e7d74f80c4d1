package dev.packbase.domain;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What the request path needs of one package, held in memory for every package: its upstream binding
 * and last check (an update's freshness test), and per tag the bytes to send (digest, size), the
 * commit the Git layer serves and the Zig hashes that find it. The rest of the
 * record (other digests, Zig metadata, warnings) stays in storage, so that memory grows by a few hundred
 * bytes per tag rather than by the record's full size.
 */
public record ServedPackage(String name, String upstreamUrl, long checkedAt, List<ServedTag> tags,
        List<ServedTag> commits) {

    public ServedPackage {
        tags = List.copyOf(tags);
        commits = List.copyOf(commits);
    }

    /**
     * One tag's (or pinned commit's) serving data; field names as in {@link TagEntry}.
     * {@code dependencyHashes} are the hashes its {@code build.zig.zon} declares (for the reverse index).
     */
    public record ServedTag(String tag, long sizeBytes, String sha256, String commitOid, long commitTime,
            String zigHash, String zigLegacyHash, List<String> dependencyHashes) {

        public ServedTag {
            dependencyHashes = List.copyOf(dependencyHashes);
        }
    }

    /** "Latest" order of {@link PackageRecord#LATEST_ORDER}, on served tags. */
    public static final Comparator<ServedTag> LATEST_ORDER = LatestOrder.by(ServedTag::tag, ServedTag::commitTime);

    public static ServedPackage of(PackageRecord record) {
        return new ServedPackage(record.name(), record.upstreamUrl(), record.checkedAt(), served(record.tags()),
                served(record.commits()));
    }

    private static List<ServedTag> served(List<TagEntry> entries) {
        return entries.stream().map(t -> new ServedTag(t.tag(), t.sizeBytes(), t.sha256(), t.commitOid(),
                t.commitTime(), t.zig() == null ? null : t.zig().hash(),
                t.zig() == null ? null : t.zig().legacyHash(), dependencyHashes(t))).toList();
    }

    private static List<String> dependencyHashes(TagEntry t) {
        return t.zig() == null ? List.of() : t.zig().dependencies().stream().map(ZigInfo.Dependency::hash)
                .filter(java.util.Objects::nonNull).toList();
    }

    public Optional<ServedTag> tag(String tag) {
        return find(tags, tag);
    }

    /** A pinned commit, by its full id. */
    public Optional<ServedTag> commit(String id) {
        return find(commits, id);
    }

    public Optional<ServedTag> entry(RefKind kind, String name) {
        return find(kind == RefKind.TAG ? tags : commits, name);
    }

    private static Optional<ServedTag> find(List<ServedTag> entries, String tag) {
        for (ServedTag t : entries) {
            if (t.tag().equals(tag)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
