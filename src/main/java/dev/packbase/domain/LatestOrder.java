package dev.packbase.domain;

import java.util.Comparator;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * "Latest" order of tags: any stable semver release beats pre-releases, which beat non-semver tags;
 * within each group semver precedence, then commit time, then the tag name decide (a later
 * {@code 2.0.0-rc.1} does not beat {@code 1.4.0}).
 */
final class LatestOrder {
    private LatestOrder() {
    }

    static <T> Comparator<T> by(Function<T, String> name, ToLongFunction<T> commitTime) {
        return (a, b) -> Rank.of(name.apply(a), commitTime.applyAsLong(a))
                .compareTo(Rank.of(name.apply(b), commitTime.applyAsLong(b)));
    }

    /**
     * A tag name with its parsed version, so that sorting can parse each name once.
     *
     * @param group 2 for a stable release, 1 for a pre-release, 0 for a non-semver tag
     */
    record Rank(String name, long commitTime, int group, Semver version) implements Comparable<Rank> {
        static Rank of(String name, long commitTime) {
            Optional<Semver> version = Semver.parse(name);
            return new Rank(name, commitTime, version.map(v -> v.isPreRelease() ? 1 : 2).orElse(0), version.orElse(null));
        }

        @Override
        public int compareTo(Rank o) {
            int c = Integer.compare(group, o.group);
            if (c == 0 && version != null && o.version != null) {
                c = version.compareTo(o.version);
            }
            if (c == 0) {
                c = Long.compare(commitTime, o.commitTime);
            }
            return c != 0 ? c : name.compareTo(o.name);
        }
    }
}
