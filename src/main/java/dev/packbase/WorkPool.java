package dev.packbase;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The CPU workers that one instance spreads ingest work over (tarballs, derived packs, the Git
 * self-check: gzip and hashing, independent per tag). One pool per instance, shared by all ingests,
 * so concurrent ingests together stay within {@code PACKBASE_INGEST_THREADS}. The calling thread
 * always works too: a call never waits for a pool thread that another call keeps busy, so calls
 * cannot deadlock, nested or not, and a pool of one thread is plain sequential work.
 */
public final class WorkPool implements AutoCloseable {
    private final int threads;
    private final ExecutorService helpers;

    public WorkPool(int threads) {
        this.threads = Math.max(1, threads);
        this.helpers = this.threads == 1 ? null : Executors.newFixedThreadPool(this.threads - 1, r -> {
            Thread t = new Thread(r, "packbase-work");
            t.setDaemon(true);
            return t;
        });
    }

    /** A task of {@link #map}: I/O failures pass through as they are. */
    @FunctionalInterface
    public interface Task<I, O> {
        O apply(I input) throws IOException;
    }

    public int threads() {
        return threads;
    }

    /**
     * Applies {@code task} to every input, spread over the pool, and returns the results in input
     * order. After the first failure no new input is started; the failure of the earliest input that
     * failed is thrown (as an IOException or RuntimeException) once every started task has ended.
     */
    public <I, O> List<O> map(List<I> inputs, Task<I, O> task) throws IOException {
        int n = inputs.size();
        Object[] results = new Object[n];
        Throwable[] failures = new Throwable[n];
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        Runnable worker = () -> {
            int i;
            while (!failed.get() && (i = next.getAndIncrement()) < n) {
                try {
                    results[i] = task.apply(inputs.get(i));
                } catch (IOException | RuntimeException | Error e) {
                    failures[i] = e;
                    failed.set(true);
                }
            }
        };
        List<Helper> helpersStarted = new ArrayList<>();
        if (helpers != null) {
            try {
                for (int h = 1; h < Math.min(threads, n); h++) {
                    Helper helper = new Helper(worker);
                    helpers.execute(helper);
                    helpersStarted.add(helper);
                }
            } catch (RejectedExecutionException e) {
                // Closed while an ingest still ran: the caller finishes the work alone.
            }
        }
        worker.run();
        boolean interrupted = false;
        for (Helper helper : helpersStarted) {
            // A helper still queued behind another call's work is not needed any more; one that
            // started may still be writing a result.
            if (helper.state.compareAndSet(Helper.QUEUED, Helper.ABANDONED)) {
                continue;
            }
            while (true) {
                try {
                    helper.done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    failed.set(true);
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        for (Throwable t : failures) {
            if (t instanceof IOException e) {
                throw e;
            } else if (t instanceof RuntimeException e) {
                throw e;
            } else if (t instanceof Error e) {
                throw e;
            }
        }
        if (interrupted) {
            throw new IOException("interrupted");
        }
        @SuppressWarnings("unchecked")
        List<O> list = (List<O>) Arrays.asList(results);
        return list;
    }

    /** One pool thread's share of a {@link #map} call; runs only if the call has not finished without it. */
    private static final class Helper implements Runnable {
        static final int QUEUED = 0;
        static final int RUNNING = 1;
        static final int ABANDONED = 2;
        final AtomicInteger state = new AtomicInteger(QUEUED);
        final CountDownLatch done = new CountDownLatch(1);
        private final Runnable worker;

        Helper(Runnable worker) {
            this.worker = worker;
        }

        @Override
        public void run() {
            if (!state.compareAndSet(QUEUED, RUNNING)) {
                return;
            }
            try {
                worker.run();
            } finally {
                done.countDown();
            }
        }
    }

    @Override
    public void close() {
        if (helpers != null) {
            helpers.shutdownNow();
        }
    }
}
