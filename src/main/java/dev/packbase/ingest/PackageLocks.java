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
        ReentrantLock lock = locks.computeIfAbsent(name.value(), k -> new ReentrantLock());
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }
}
