package dev.packbase.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Bounded waits on a condition, for state that changes in the background (an edge re-reading the
 * root, a request slot released after the answer was sent). The condition is checked at once, then
 * with a short pause that grows to 100 ms, until it holds or the timeout passes; on timeout the
 * failure names what was awaited and the last value or exception seen.
 */
public final class Await {
    private static final long FIRST_PAUSE_MILLIS = 5;
    private static final long MAX_PAUSE_MILLIS = 100;

    private Await() {
    }

    /** Waits until {@code condition} returns true; an exception from it counts as "not yet". */
    public static void until(String description, Duration timeout, Callable<Boolean> condition) {
        value(description, timeout, condition, Boolean.TRUE::equals);
    }

    /**
     * Waits until {@code done} accepts what {@code probe} returns, and returns that value; an
     * exception from the probe counts as "not yet".
     */
    public static <T> T value(String description, Duration timeout, Callable<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_MILLIS;
        String last = "no attempt";
        Throwable lastError = null;
        while (true) {
            try {
                T value = probe.call();
                if (done.test(value)) {
                    return value;
                }
                last = "last value: " + value;
                lastError = null;
            } catch (Exception e) {
                last = "last attempt failed: " + e;
                lastError = e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + description
                        + " (" + last + ")", lastError);
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(pause)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + description, e);
            }
            pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
        }
    }
}
