package dev.packbase.domain;

/**
 * What names a version of a package: an upstream tag, or a commit that no tag names (pinned by a
 * {@code build.zig.zon} as {@code #<commit>}). Each has its own directory of tarballs and manifests,
 * {@code p/<pkg>/tag/<tag>} and {@code p/<pkg>/commit/<full id>}, in storage and in URLs alike.
 */
public enum RefKind {
    TAG("tag"),
    COMMIT("commit");

    private final String segment;

    RefKind(String segment) {
        this.segment = segment;
    }

    /** The path segment between the package and the version: {@code tag} or {@code commit}. */
    public String segment() {
        return segment;
    }
}
