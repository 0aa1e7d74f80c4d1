package dev.packbase.ingest;

import dev.packbase.domain.RefKind;
import org.eclipse.jgit.lib.ObjectId;

/**
 * One version as upstream offers it: a tag, or a commit that no tag names, pinned by its full id
 * (then {@code name}, {@code object} and {@code peeled} are all that id).
 *
 * @param object the id {@code refs/tags/<name>} points at (annotated tag object or commit)
 * @param peeled the id after peeling annotated tags, when upstream advertised it; null otherwise
 */
public record UpstreamTag(String name, ObjectId object, ObjectId peeled, RefKind kind) {

    public UpstreamTag(String name, ObjectId object, ObjectId peeled) {
        this(name, object, peeled, RefKind.TAG);
    }

    /** A pinned commit that no tag names. */
    public static UpstreamTag commit(ObjectId id) {
        return new UpstreamTag(id.name(), id, id, RefKind.COMMIT);
    }

    /** The local ref a fetch writes: upstream's tag ref, or for a commit {@code refs/commits/<id>} (which JGit may leave unwritten). */
    public String refName() {
        return (kind == RefKind.TAG ? "refs/tags/" : "refs/commits/") + name;
    }

    /** What upstream is asked for: the tag's ref, or the commit id itself (a want of an unadvertised id). */
    public String source() {
        return kind == RefKind.TAG ? refName() : name;
    }

    /** How messages name the version: {@code tag 'v1.0.0'} or {@code commit <id>}. */
    public String describe() {
        return kind == RefKind.TAG ? "tag '" + name + "'" : "commit " + name;
    }
}
