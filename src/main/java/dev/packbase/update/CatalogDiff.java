package dev.packbase.update;

import dev.packbase.domain.SourceCatalog;
import java.util.Map;
import java.util.stream.Collectors;

/** How a newly downloaded catalog differs from the stored one: packages added, with a changed URL, removed. */
record CatalogDiff(int added, int updated, int removed) {
    static final CatalogDiff NONE = new CatalogDiff(0, 0, 0);

    boolean changed() {
        return added + updated + removed > 0;
    }

    static CatalogDiff of(SourceCatalog before, SourceCatalog after) {
        Map<String, String> old = before.packages().stream()
                .collect(Collectors.toMap(SourceCatalog.Entry::name, SourceCatalog.Entry::url, (a, b) -> a));
        Map<String, String> now = after.packages().stream()
                .collect(Collectors.toMap(SourceCatalog.Entry::name, SourceCatalog.Entry::url, (a, b) -> a));
        int added = (int) now.keySet().stream().filter(n -> !old.containsKey(n)).count();
        int removed = (int) old.keySet().stream().filter(n -> !now.containsKey(n)).count();
        int updated = (int) now.entrySet().stream()
                .filter(e -> old.containsKey(e.getKey()) && !old.get(e.getKey()).equals(e.getValue())).count();
        return new CatalogDiff(added, updated, removed);
    }

}
