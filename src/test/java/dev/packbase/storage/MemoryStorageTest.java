package dev.packbase.storage;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link StorageContract} in the heap, the store the fast unit tests run on. */
class MemoryStorageTest extends StorageContract {

    @Override
    protected Storage newStorage() {
        return new MemoryStorage();
    }

    @Override
    protected Storage readOnlyView(Storage writable) {
        return ((MemoryStorage) writable).readOnlyView();
    }

    @Test
    void everyWriteHasALaterTime() throws Exception {
        MemoryStorage s = new MemoryStorage();
        s.replace("a", out -> out.write('1'));
        long first = s.stat("a").orElseThrow().lastModifiedMillis();
        s.replace("a", out -> out.write('2'));
        // Within one millisecond too: the edge's reload notices a change by the snapshot's time.
        assertTrue(s.stat("a").orElseThrow().lastModifiedMillis() > first);
    }
}
