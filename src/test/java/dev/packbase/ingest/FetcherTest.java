package dev.packbase.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.packbase.ErrorCode;
import dev.packbase.PackbaseException;
import dev.packbase.domain.PackageRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetch stage's retry rule, with a source that only counts requests. */
class FetcherTest {
    @TempDir
    Path scratch;

    /** Fails every request that includes a bad ref with {@code code}; records each request. */
    private static final class CountingSource implements Source {
        final List<List<String>> requests = new ArrayList<>();
        final Set<String> bad;
        final ErrorCode code;

        CountingSource(Set<String> bad, ErrorCode code) {
            this.bad = bad;
            this.code = code;
        }

        @Override
        public String url() {
            return "https://upstream.invalid/x.git";
        }

        @Override
        public List<UpstreamTag> list() {
            return List.of();
        }

        @Override
        public Plan plan(List<UpstreamTag> offered, Optional<PackageRecord> existing) {
            return TagPlanner.plan(offered, existing);
        }

        @Override
        public Repository fetch(List<UpstreamTag> refs, Path dir) {
            requests.add(refs.stream().map(UpstreamTag::name).toList());
            if (refs.stream().anyMatch(r -> bad.contains(r.name()))) {
                throw new PackbaseException(code, "cannot pack");
            }
            return new InMemoryRepository(new DfsRepositoryDescription("x"));
        }
    }

    private static List<UpstreamTag> refs(int n) {
        return IntStream.range(0, n).mapToObj(i -> new UpstreamTag(String.format("t%02d", i),
                ObjectId.fromString(String.format("%040x", i + 1)), null)).toList();
    }

    private Fetched fetch(Source source, List<UpstreamTag> refs, Duration budget) throws Exception {
        return new Fetcher(new ScratchArea(scratch.resolve("tmp")), budget).fetch(source, refs, "test");
    }

    @Test
    void oneRequestWhenNothingFails() throws Exception {
        CountingSource source = new CountingSource(Set.of(), ErrorCode.UPSTREAM_FAILED);
        try (Fetched fetched = fetch(source, refs(16), Duration.ofMinutes(1))) {
            assertEquals(1, source.requests.size());
            assertEquals(1, fetched.batches().size());
            assertTrue(fetched.failed().isEmpty());
        }
        try (Stream<Path> left = Files.list(scratch.resolve("tmp"))) {
            assertEquals(0, left.count(), "closing deletes the scratch directories");
        }
    }

    @Test
    void oneBadRefAmongSixteenIsFoundByHalving() throws Exception {
        CountingSource source = new CountingSource(Set.of("t05"), ErrorCode.UPSTREAM_FAILED);
        try (Fetched fetched = fetch(source, refs(16), Duration.ofMinutes(1))) {
            assertEquals(List.of(new FailedTag("t05", "cannot pack")), fetched.failed());
            assertEquals(15, fetched.batches().stream().mapToInt(b -> b.tags().size()).sum());
            // 1 + 2 per level below the top (16 → 8 → 4 → 2 → 1): 9 requests.
            assertEquals(9, source.requests.size(), source.requests.toString());
        }
    }

    @Test
    void aFailureThatIsNotUpstreamFailedEndsTheFetch() {
        CountingSource source = new CountingSource(Set.of("t01"), ErrorCode.LIMIT_EXCEEDED);
        PackbaseException e = assertThrows(PackbaseException.class, () -> fetch(source, refs(8), Duration.ofMinutes(1)));
        assertEquals(ErrorCode.LIMIT_EXCEEDED, e.code());
        assertEquals(1, source.requests.size(), "a limit concerns the whole upstream: no retry");
    }

    @Test
    void noSplittingOnceTheTimeBudgetIsSpent() throws Exception {
        CountingSource source = new CountingSource(Set.of("t01"), ErrorCode.UPSTREAM_FAILED);
        try (Fetched fetched = fetch(source, refs(8), Duration.ZERO)) {
            assertEquals(1, source.requests.size());
            assertEquals(8, fetched.failed().size(), "every ref of the failed request is reported");
        }
    }
}
