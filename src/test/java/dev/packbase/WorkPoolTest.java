package dev.packbase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WorkPoolTest {

    @Test
    void resultsComeBackInInputOrder() throws IOException {
        try (WorkPool pool = new WorkPool(3)) {
            List<Integer> inputs = IntStream.range(0, 500).boxed().toList();
            assertEquals(inputs.stream().map(i -> i * i).toList(), pool.map(inputs, i -> i * i));
            assertEquals(List.of(), pool.map(List.<Integer>of(), i -> i));
        }
    }

    @Test
    void tasksReallyRunAtTheSameTime() throws IOException {
        // Both tasks wait for each other: this only completes if two threads run them together.
        CyclicBarrier both = new CyclicBarrier(2);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (WorkPool pool = new WorkPool(2)) {
            pool.map(List.of(1, 2), i -> {
                threads.add(Thread.currentThread().getName());
                try {
                    both.await(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IOException("the other task never ran alongside", e);
                }
                return i;
            });
        }
        assertEquals(2, threads.size());
    }

    @Test
    void theEarliestFailureIsThrownAndNoNewInputStartsAfterIt() {
        AtomicInteger ran = new AtomicInteger();
        try (WorkPool pool = new WorkPool(1)) {
            IOException e = assertThrows(IOException.class, () -> pool.map(List.of(0, 1, 2, 3), i -> {
                ran.incrementAndGet();
                if (i >= 1) {
                    throw new IOException("input " + i);
                }
                return i;
            }));
            assertEquals("input 1", e.getMessage());
            assertEquals(2, ran.get());
        }
        try (WorkPool pool = new WorkPool(4)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.map(List.of(0, 1), i -> {
                throw new IllegalStateException("runtime " + i);
            }));
            assertTrue(e.getMessage().startsWith("runtime "));
        }
    }

    @Test
    void nestedCallsOnABusyPoolDoNotDeadlock() throws IOException {
        try (WorkPool pool = new WorkPool(2)) {
            List<Integer> sums = pool.map(List.of(10, 20, 30), outer ->
                    pool.map(List.of(1, 2, 3), inner -> outer + inner).stream().mapToInt(Integer::intValue).sum());
            assertEquals(List.of(36, 66, 96), sums);
        }
    }

    @Test
    void aClosedPoolStillFinishesWorkOnTheCallingThread() throws IOException {
        WorkPool pool = new WorkPool(4);
        pool.close();
        assertEquals(List.of(2, 4, 6), pool.map(List.of(1, 2, 3), i -> i * 2));
    }
}
