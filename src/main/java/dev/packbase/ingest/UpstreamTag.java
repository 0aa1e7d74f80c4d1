package dev.packbase.ingest;

import org.eclipse.jgit.lib.ObjectId;

/**
 * One tag as upstream advertises it.
 *
 * @param object the id {@code refs/tags/<name>} points at (annotated tag object or commit)
 * @param peeled the id after peeling annotated tags, when upstream advertised it; null otherwise
 */
public record UpstreamTag(String name, ObjectId object, ObjectId peeled) {
    public String refName() {
        return "refs/tags/" + name;
    }
}
