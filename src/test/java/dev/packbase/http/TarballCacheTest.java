package dev.packbase.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TarballCacheTest {

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void neverHoldsMoreThanItsBound() {
        TarballCache cache = new TarballCache(10_000, 4_000);
        Random random = new Random(1);
        for (int i = 0; i < 2_000; i++) {
            String key = "p/x/tag/v" + random.nextInt(50) + ".tar.gz";
            if (cache.get(key, "sha-" + key) == null) {
                cache.put(key, "sha-" + key, bytes(1 + random.nextInt(4_000), i));
            }
            assertTrue(cache.bytes() <= 10_000, () -> "cache holds " + cache.bytes() + " bytes");
        }
        assertTrue(cache.size() >= 2, "the cache keeps what fits");
    }

    @Test
    void largerTarballsAreServedButNotKept() {
        TarballCache cache = new TarballCache(10_000, 4_000);
        byte[] big = bytes(4_001, 1);
        TarballCache.Entry e = cache.put("k", "s", big);
        assertSame(big, e.body, "the caller still gets an entry to send");
        assertNull(cache.get("k", "s"));
        assertEquals(0, cache.bytes());
        assertFalse(cache.accepts(4_001));
        assertTrue(cache.accepts(4_000));
    }

    @Test
    void zeroTurnsTheCacheOff() {
        TarballCache cache = new TarballCache(0, 1 << 20);
        cache.put("k", "s", bytes(10, 1));
        assertNull(cache.get("k", "s"));
        assertFalse(cache.accepts(1));
    }

    @Test
    void anEntryIsOnlyUsedForItsOwnSha256() {
        TarballCache cache = new TarballCache(10_000, 4_000);
        cache.put("k", "sha-a", bytes(100, 1));
        assertNotNull(cache.get("k", "sha-a"));
        assertNull(cache.get("k", "sha-b"), "another tarball under the same key is a miss, never the old bytes");

        byte[] other = bytes(200, 2);
        cache.put("k", "sha-b", other);
        assertArrayEquals(other, cache.get("k", "sha-b").body);
        assertNull(cache.get("k", "sha-a"));
        assertEquals(200, cache.bytes(), "the replaced entry's bytes are no longer counted");
    }

    @Test
    void aTarballUsedSinceTheLastEvictionSurvivesTheNext() {
        TarballCache cache = new TarballCache(300, 100);
        cache.put("a", "a", bytes(100, 1));
        cache.put("b", "b", bytes(100, 2));
        cache.put("c", "c", bytes(100, 3));
        cache.get("a", "a");
        cache.get("c", "c");
        cache.put("d", "d", bytes(100, 4));

        assertNotNull(cache.get("a", "a"));
        assertNull(cache.get("b", "b"), "the one entry not used is evicted");
        assertNotNull(cache.get("c", "c"));
        assertNotNull(cache.get("d", "d"));
        assertEquals(300, cache.bytes());
    }

    @Test
    void slicesAreIndependentViewsOfTheBytes() {
        byte[] body = bytes(100, 1);
        TarballCache.Entry heap = new TarballCache(1_000, 1_000).put("k", "s", body);
        TarballCache.Entry mapped = new TarballCache(1_000, 1_000).put("k", "s", ByteBuffer.wrap(body.clone()));
        for (TarballCache.Entry e : new TarballCache.Entry[] {heap, mapped}) {
            ByteBuffer slice = e.slice(10, 20);
            byte[] read = new byte[slice.remaining()];
            slice.get(read);
            assertArrayEquals(Arrays.copyOfRange(body, 10, 30), read);
            assertEquals(20, e.slice(10, 20).remaining(), "a second slice starts afresh");
            assertTrue(e.slice(0, 100).isReadOnly());
        }
        assertEquals("\"s\"", heap.etag);
    }

    @Test
    void concurrentInsertsKeepTheCountExact() throws Exception {
        TarballCache cache = new TarballCache(50_000, 5_000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicLong served = new AtomicLong();
        try {
            Future<?>[] jobs = new Future<?>[4];
            for (int t = 0; t < jobs.length; t++) {
                int seed = t;
                jobs[t] = pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 5_000; i++) {
                        String key = "k" + random.nextInt(100);
                        TarballCache.Entry e = cache.get(key, key);
                        if (e == null) {
                            e = cache.put(key, key, new byte[100 + key.hashCode() % 50 * 90]);
                        }
                        served.addAndGet(e.size);
                    }
                });
            }
            for (Future<?> job : jobs) {
                job.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(cache.bytes() <= 50_000, () -> "cache holds " + cache.bytes());
        long counted = 0;
        for (int i = 0; i < 100; i++) {
            TarballCache.Entry e = cache.get("k" + i, "k" + i);
            counted += e == null ? 0 : e.size;
        }
        assertEquals(counted, cache.bytes(), "the byte count matches the entries held");
        assertTrue(served.get() > 0);
    }
}
