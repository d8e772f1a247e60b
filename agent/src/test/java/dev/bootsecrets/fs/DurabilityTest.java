package dev.bootsecrets.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DurabilityTest {
    private static final long MIB = 1L << 20;

    @Test
    void oneFileIsFsyncedAlone() {
        assertTrue(Durability.fsyncEach(1, () -> 0));
        assertTrue(Durability.fsyncEach(1, () -> Long.MAX_VALUE));
    }

    @Test
    void aFewFilesShareASyncfsOnlyWhileLittleElseIsDirty() {
        assertFalse(Durability.fsyncEach(2, () -> 0));
        assertFalse(Durability.fsyncEach(5, () -> Durability.QUIET_BYTES));
        assertTrue(Durability.fsyncEach(5, () -> Durability.QUIET_BYTES + 1));
        assertTrue(Durability.fsyncEach(Durability.FSYNC_EACH_LIMIT, () -> 500 * MIB));
    }

    @Test
    void manyFilesShareASyncfsWhateverIsDirty() {
        assertFalse(Durability.fsyncEach(Durability.FSYNC_EACH_LIMIT + 1, () -> Long.MAX_VALUE));
    }

    @Test
    void theMachineIsAskedOnlyWhenTheCountLeavesTheChoiceOpen() {
        java.util.function.LongSupplier unasked = () -> {
            throw new AssertionError("/proc/meminfo read for a choice the count made");
        };
        assertTrue(Durability.fsyncEach(0, unasked));
        assertTrue(Durability.fsyncEach(1, unasked));
        assertFalse(Durability.fsyncEach(Durability.FSYNC_EACH_LIMIT + 1, unasked));
    }

    @Test
    void dirtyDataIsReadFromMeminfo() {
        String meminfo = """
                MemTotal:       24542176 kB
                MemFree:        21875332 kB
                Dirty:              1204 kB
                Writeback:            16 kB
                AnonPages:        612348 kB
                """;
        assertEquals((1204 + 16) * 1024L, Durability.dirtyBytes(meminfo));
        // What cannot be read counts as busy: each file then gets its own fsync.
        assertEquals(Long.MAX_VALUE, Durability.dirtyBytes("MemTotal: 1 kB\nDirty: 5 kB\n"));
        assertEquals(Long.MAX_VALUE, Durability.dirtyBytes("Dirty: 5 MB\nWriteback: 0 kB\n"));
        assertTrue(Durability.dirtyBytes() >= 0);
    }
}
