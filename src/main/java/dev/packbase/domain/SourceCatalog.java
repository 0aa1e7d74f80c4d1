package dev.packbase.domain;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The source catalog that {@code POST /api/update} syncs from {@code PACKBASE_SOURCE}: a JSON object
 * {@code {"packages": [{"name": "…", "url": "git+https://…"}, …]}}. Names follow {@link PackageName};
 * each name appears once. Unknown fields are ignored, so the format can grow.
 */
public record SourceCatalog(List<Entry> packages) {

    public SourceCatalog {
        packages = packages == null ? List.of() : List.copyOf(packages);
    }

    /** One package of the catalog. */
    public record Entry(String name, String url) {
    }

    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        packages.forEach(e -> names.add(e.name()));
        return names;
    }

    public static SourceCatalog empty() {
        return new SourceCatalog(List.of());
    }
}
