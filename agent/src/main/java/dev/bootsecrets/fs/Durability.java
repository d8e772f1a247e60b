package dev.bootsecrets.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * How a batch makes its files durable: an fsync each, or one syncfs per filesystem. On ext4 and
 * xfs every fsync commits the journal and flushes the disk's cache, so a few files cost a few
 * commits where one syncfs costs one; but a syncfs also waits for every other dirty page on the
 * filesystem. The choice is made on what is dirty on the machine at that moment: at boot
 * almost nothing is, on a busy machine (a refresh while an application writes) much may be.
 */
final class Durability {
    /** Past this many, one syncfs whatever else is dirty: the commits alone would cost more. */
    static final int FSYNC_EACH_LIMIT = 16;
    /** Dirty and writeback data up to this much make a syncfs cheap (/proc/meminfo). */
    static final long QUIET_BYTES = 8L << 20;

    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private Durability() {}

    /**
     * Whether {@code count} files or directories get an fsync each, {@code dirty} telling the
     * bytes dirty on the machine; asked only when the count leaves the choice open.
     */
    static boolean fsyncEach(int count, LongSupplier dirty) {
        return count <= 1 || count <= FSYNC_EACH_LIMIT && dirty.getAsLong() > QUIET_BYTES;
    }

    /** The machine's dirty and writeback page-cache data, in bytes; unknown counts as a lot. */
    static long dirtyBytes() {
        try {
            return dirtyBytes(Files.readString(MEMINFO));
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Dirty plus Writeback of a /proc/meminfo text, in bytes; Long.MAX_VALUE when either is missing. */
    static long dirtyBytes(String meminfo) {
        long total = 0;
        int found = 0;
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("Dirty:") || line.startsWith("Writeback:")) {
                String[] fields = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
                if (fields.length != 2 || !fields[1].equals("kB")) {
                    return Long.MAX_VALUE;
                }
                total += Long.parseLong(fields[0]) * 1024;
                found++;
            }
        }
        return found == 2 ? total : Long.MAX_VALUE;
    }
}
