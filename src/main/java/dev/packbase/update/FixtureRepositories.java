package dev.packbase.update;

import java.util.List;

/**
 * The local repositories that an update run imports like any upstream, beside the source catalog: test and
 * demo material (CONTRACT §4's fixtures under the root's {@code git/}). The composition root, which knows
 * where they are, builds this; the update service sees only names and URLs that ingest can fetch.
 */
@FunctionalInterface
public interface FixtureRepositories {

    /** One repository: the package name it is imported as, and its URL (a {@code file:} URL for a directory). */
    record Fixture(String name, String url) {
    }

    /** The repositories there are now, sorted by name; none when there is nowhere to look. */
    List<Fixture> list();

    static FixtureRepositories none() {
        return List::of;
    }
}
