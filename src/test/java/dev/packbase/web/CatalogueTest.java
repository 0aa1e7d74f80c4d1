package dev.packbase.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.packbase.Json;
import dev.packbase.domain.PackageRecord;
import dev.packbase.domain.TagEntry;
import dev.packbase.state.PackageState;
import dev.packbase.storage.MemoryStorage;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The index: search by words in name and description, sort by name or date, pages of fifty. */
class CatalogueTest {
    private static final ObjectMapper JSON = Json.newMapper();
    private final MemoryStorage storage = new MemoryStorage();
    private final PackageState registry = new PackageState(storage, JSON);
    private final Summaries summaries = new Summaries(storage, JSON, new ReadmeSource(new TarballFiles(storage),
            new Readme()));
    private final Catalogue catalogue = new Catalogue(registry, summaries);

    private void add(String name, long released, String description) throws Exception {
        String sha = String.format("%064x", name.hashCode() & 0xffffffffL);
        registry.save(new PackageRecord(PackageRecord.FORMAT, name, "https://example.org/" + name, 1, 1,
                List.of(new TagEntry("v1.0.0", "o", "c", "t", "k", released - 100, 10, sha, "m", "c", "s", 1, null),
                        new TagEntry("v1.2.0", "o", "c", "t", "k", released, 10, sha + "", "m", "c", "s", 1, null)),
                List.of(), List.of()));
        summaries.put(sha, description);
    }

    @BeforeEach
    void packages() throws Exception {
        add("zlib", 3000, "Compression for Zig, the deflate format.");
        add("zig-clap", 1000, "Command line argument parsing.");
        add("known-folders", 2000, "Where the config and cache folders are, per OS.");
        for (int i = 0; i < 120; i++) {
            add(String.format("pkg-%03d", i), 10 + i, "Filler package number " + i + ".");
        }
    }

    private List<String> names(Catalogue.Result r) {
        return r.rows().stream().map(Catalogue.Row::name).toList();
    }

    @Test
    void wordsMustAllAppearInTheNameOrTheDescription() {
        assertEquals(List.of("zig-clap", "zlib"), names(catalogue.search(new Catalogue.Query("zig", Catalogue.Sort.NAME, 1))));
        assertEquals(List.of("zlib"), names(catalogue.search(new Catalogue.Query("  ZIG   deflate ", Catalogue.Sort.NAME, 1))));
        assertEquals(List.of("known-folders"), names(catalogue.search(new Catalogue.Query("cache", Catalogue.Sort.NAME, 1))));
        Catalogue.Result none = catalogue.search(new Catalogue.Query("nothing here", Catalogue.Sort.NAME, 1));
        assertEquals(0, none.matches());
        assertEquals(123, none.total());
    }

    @Test
    void theLatestTagAndItsDateAreShownAndDateSortsNewestFirst() {
        Catalogue.Result r = catalogue.search(new Catalogue.Query("", Catalogue.Sort.DATE, 1));
        assertEquals(List.of("zlib", "known-folders", "zig-clap"), names(r).subList(0, 3));
        assertEquals("v1.2.0", r.rows().get(0).latest());
        assertEquals(3000, r.rows().get(0).releasedAt());
    }

    @Test
    void resultsComeInPagesOfFiftyAndAPageOutOfRangeIsTheLast() {
        Catalogue.Result first = catalogue.search(new Catalogue.Query("", Catalogue.Sort.NAME, 1));
        assertEquals(50, first.rows().size());
        assertEquals(3, first.pages());
        assertEquals("known-folders", first.rows().get(0).name());
        Catalogue.Result last = catalogue.search(new Catalogue.Query("", Catalogue.Sort.NAME, 99));
        assertEquals(3, last.page());
        assertEquals(23, last.rows().size());
        assertEquals("zlib", last.rows().get(22).name());
        assertEquals(1, catalogue.search(new Catalogue.Query("", Catalogue.Sort.NAME, -4)).page());
    }

    @Test
    void aNewPackageAppearsWithoutARestart() throws Exception {
        assertEquals(0, catalogue.search(new Catalogue.Query("ziggy", Catalogue.Sort.NAME, 1)).matches());
        add("ziggy", 5000, "New.");
        assertEquals(List.of("ziggy"), names(catalogue.search(new Catalogue.Query("ziggy", Catalogue.Sort.NAME, 1))));
    }
}
