package dev.packbase.web;

import dev.packbase.domain.PackageName;
import dev.packbase.domain.RefKind;
import dev.packbase.domain.ServedPackage;
import dev.packbase.state.PackageState;
import dev.packbase.storage.StorageKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The index's rows (every package with its latest version, release date, health and description) and
 * the search over them. Rows are built from memory once per state generation; a search is one pass over
 * them, so the index stays fast at tens of thousands of packages.
 */
final class Catalogue {
    static final int PAGE_SIZE = 50;

    /** One package on the index; {@code latest} is null for a registered package not mirrored yet. */
    record Row(String name, String latest, long releasedAt, Boolean healthy, String description, String search) {
    }

    enum Sort { NAME, DATE }

    /** What a visitor asked: words (may be empty), the order, the page (from 1). */
    record Query(String words, Sort sort, int page) {
        List<String> terms() {
            String w = words.strip().toLowerCase(Locale.ROOT);
            return w.isEmpty() ? List.of() : Arrays.asList(w.split("\\s+"));
        }
    }

    /** One page of results. */
    record Result(List<Row> rows, int matches, int page, int pages, int total) {
    }

    /** The rows of one state generation, by name and newest first (both orders made once). */
    private record Built(long generation, int summaries, List<Row> byName, List<Row> byDate) {
    }

    private static boolean matches(String text, List<String> terms) {
        for (String t : terms) {
            if (!text.contains(t)) {
                return false;
            }
        }
        return true;
    }

    private final PackageState registry;
    private final Summaries summaries;
    private volatile Built built;

    Catalogue(PackageState registry, Summaries summaries) {
        this.registry = registry;
        this.summaries = summaries;
    }

    Result search(Query query) {
        Built b = built();
        List<Row> all = b.byName();
        List<Row> ordered = query.sort() == Sort.DATE ? b.byDate() : all;
        List<String> terms = query.terms();
        List<Row> matching = ordered;
        if (!terms.isEmpty()) {
            matching = new ArrayList<>();
            for (Row r : ordered) {
                if (matches(r.search(), terms)) {
                    matching.add(r);
                }
            }
        }
        int pages = Math.max(1, (matching.size() + PAGE_SIZE - 1) / PAGE_SIZE);
        int page = Math.min(Math.max(1, query.page()), pages);
        int from = (page - 1) * PAGE_SIZE;
        List<Row> shown = matching.subList(Math.min(from, matching.size()), Math.min(from + PAGE_SIZE, matching.size()));
        return new Result(List.copyOf(shown), matching.size(), page, pages, all.size());
    }

    /** Every package, by name; rebuilt when the state changed or new descriptions arrived. */
    List<Row> rows() {
        return built().byName();
    }

    private Built built() {
        long generation = registry.generation();
        int known = summaries.size();
        Built b = built;
        if (b != null && b.generation() == generation && b.summaries() == known) {
            return b;
        }
        List<Row> rows = new ArrayList<>();
        List<Summaries.Target> missing = new ArrayList<>();
        for (String name : registry.summary().all()) {
            Optional<ServedPackage> served = PackageName.isValid(name) ? registry.served(new PackageName(name))
                    : Optional.empty();
            Optional<ServedPackage.ServedTag> latest = served.flatMap(p -> p.tags().stream()
                    .max(ServedPackage.LATEST_ORDER));
            String description = "";
            if (latest.isPresent()) {
                Optional<String> summary = summaries.known(latest.get().sha256());
                if (summary.isPresent()) {
                    description = summary.get();
                } else {
                    missing.add(new Summaries.Target(StorageKeys.tarball(new PackageName(name), RefKind.TAG,
                            latest.get().tag()), latest.get().sha256()));
                }
            }
            rows.add(new Row(name, latest.map(ServedPackage.ServedTag::tag).orElse(null),
                    latest.map(ServedPackage.ServedTag::commitTime).orElse(0L), registry.healthy(name).orElse(null),
                    description, (name + " " + description).toLowerCase(Locale.ROOT)));
        }
        List<Row> byDate = new ArrayList<>(rows);
        byDate.sort(Comparator.comparingLong(Row::releasedAt).reversed().thenComparing(Row::name));
        b = new Built(generation, known, List.copyOf(rows), List.copyOf(byDate));
        built = b;
        summaries.fill(missing);
        return b;
    }
}
