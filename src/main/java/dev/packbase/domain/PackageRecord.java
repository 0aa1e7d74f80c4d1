package dev.packbase.domain;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The registry's state for one package: which upstream it is bound to, which tags are materialised,
 * when upstream was last checked, and warnings about upstream changes that packbase noticed but did
 * not act on (a moved or deleted tag never changes a stored tarball), and the tags it skipped.
 * {@code commits} are the pinned commits that no tag names, one entry each, whose {@code tag} is the
 * full commit id; they never move, so no update looks at them again, and they take no part in "latest".
 */
public record PackageRecord(
        int format,
        String name,
        String upstreamUrl,
        long createdAt,
        long checkedAt,
        List<TagEntry> tags,
        List<String> warnings,
        List<SkippedTag> skipped,
        List<TagEntry> commits) {

    public static final int FORMAT = 1;

    public PackageRecord {
        tags = List.copyOf(tags);
        warnings = List.copyOf(warnings);
        // Records written before skipped tags were remembered have no such field.
        skipped = skipped == null ? List.of() : List.copyOf(skipped);
        // Nor have records written before pinned commits were mirrored.
        commits = commits == null ? List.of() : List.copyOf(commits);
    }

    /** A record without pinned commits. */
    public PackageRecord(int format, String name, String upstreamUrl, long createdAt, long checkedAt, List<TagEntry> tags,
            List<String> warnings, List<SkippedTag> skipped) {
        this(format, name, upstreamUrl, createdAt, checkedAt, tags, warnings, skipped, List.of());
    }

    /**
     * An upstream tag that produced no tarball (it points at a tree, its tree is unsafe, it is past a
     * limit), remembered with the object it pointed at: fetches and updates do not download it again
     * until upstream moves the tag (or {@code reindex} forgets the list), which keeps a 500 MB tag
     * from being downloaded at every update.
     */
    public record SkippedTag(String tag, String object, String reason) {
    }

    public Optional<SkippedTag> skipped(String tag) {
        return skipped.stream().filter(t -> t.tag().equals(tag)).findFirst();
    }

    public Optional<TagEntry> tag(String tag) {
        return tags.stream().filter(t -> t.tag().equals(tag)).findFirst();
    }

    public Optional<TagEntry> commit(String id) {
        return commits.stream().filter(t -> t.tag().equals(id)).findFirst();
    }

    /** The entries of one kind: the tags or the pinned commits. */
    public List<TagEntry> entries(RefKind kind) {
        return kind == RefKind.TAG ? tags : commits;
    }

    /** A tag, or a pinned commit by its full id. */
    public Optional<TagEntry> entry(RefKind kind, String name) {
        return entries(kind).stream().filter(t -> t.tag().equals(name)).findFirst();
    }


    public Optional<TagEntry> latest() {
        return tags.stream().map(Ranked::of).max(Comparator.naturalOrder()).map(Ranked::tag);
    }

    /** The tags, latest first ({@link #LATEST_ORDER} reversed); each tag name is parsed once. */
    public List<TagEntry> newestFirst() {
        return tags.stream().map(Ranked::of).sorted(Comparator.reverseOrder()).map(Ranked::tag).toList();
    }

    /** "Latest" order ({@link LatestOrder}). */
    public static final Comparator<TagEntry> LATEST_ORDER = LatestOrder.by(TagEntry::tag, TagEntry::commitTime);

    /** A tag with its rank computed once, for sorting. */
    private record Ranked(TagEntry tag, LatestOrder.Rank rank) implements Comparable<Ranked> {
        static Ranked of(TagEntry tag) {
            return new Ranked(tag, LatestOrder.Rank.of(tag.tag(), tag.commitTime()));
        }

        @Override
        public int compareTo(Ranked o) {
            return rank.compareTo(o.rank);
        }
    }
}
