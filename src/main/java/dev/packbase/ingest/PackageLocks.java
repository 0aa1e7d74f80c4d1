package dev.packbase.ingest;

import dev.packbase.domain.PackageName;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Serialises the work on one package (an ingest, a rebuild of its derived data): a second caller
 * waits for the first and then finds the work done; different packages proceed in parallel.
 */
public final class PackageLocks {
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public <T> T with(PackageName name, Supplier<T> work) {
        return with(name.value(), work);
    }

    /** The same for work named by another key (an archive package's URL). */
    public <T> T with(String key, Supplier<T> work) {
        ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }
}
