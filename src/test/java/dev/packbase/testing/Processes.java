package dev.packbase.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Stopping a process a test started: SIGTERM so shutdown hooks run, then SIGKILL if it takes too long. */
public final class Processes {
    private Processes() {
    }

    public static void stop(Process process, Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
