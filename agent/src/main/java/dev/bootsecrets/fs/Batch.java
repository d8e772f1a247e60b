package dev.bootsecrets.fs;

import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What makes a {@link TargetRoot}'s writes durable: the directories written into since the last
 * sync, and while staging, the new versions waiting in their temporary files for one sync of them
 * all before any is renamed into place. No rename happens before the data it points to is on disk.
 */
final class Batch {
    /** Past this many staged files none keeps its descriptor: they will share a syncfs (fs/Durability). */
    static final int FSYNC_EACH_LIMIT = Durability.FSYNC_EACH_LIMIT;

    /** Directories written into since the last sync, by path, each with a descriptor to sync and rename through. */
    private final Map<String, Integer> unsynced = new LinkedHashMap<>();
    /** New versions left in their temporary files until {@link #publish}, by path; null while writes are immediate. */
    private Map<String, Staged> staged;

    /**
     * A new version of a file, complete in temporary file {@code temp} beside it in {@code dirPath};
     * {@code fd} is open on it until the sync when the batch may fsync file by file, else -1.
     */
    private record Staged(String dirPath, String temp, String name, int fd) {}

    boolean staging() {
        return staged != null;
    }

    boolean isStaged(String path) {
        return staged != null && staged.containsKey(path);
    }

    void start() {
        if (staged == null) {
            staged = new LinkedHashMap<>();
        }
    }

    /** Keeps a descriptor of directory {@code dirPath} until the next sync. */
    void remember(int dir, String dirPath) throws ErrnoException {
        if (!unsynced.containsKey(dirPath)) {
            unsynced.put(dirPath, Libc.openat(dir, ".", Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0, dirPath));
        }
    }

    /**
     * Leaves the new version of {@code path} in {@code temp} until {@link #publish}; takes {@code fd}
     * (open on it): kept for an fsync of its own while the batch is small, else closed.
     */
    void stage(String path, int dir, String dirPath, String temp, String name, int fd) throws ErrnoException {
        // Few files keep their descriptor for an fsync each; many share a syncfs.
        if (staged.size() >= FSYNC_EACH_LIMIT) {
            Libc.close(fd);
            fd = -1;
        }
        try {
            remember(dir, dirPath);
        } catch (ErrnoException e) {
            Libc.close(fd);
            throw e;
        }
        staged.put(path, new Staged(dirPath, temp, name, fd));
    }

    /**
     * Makes every staged temporary file durable: an fsync each when there are few of them (all
     * kept their descriptor) and the machine is busy writing, else one syncfs per filesystem
     * written into (fs/Durability).
     */
    void syncStaged() throws IOException {
        try {
            if (staged.values().stream().allMatch(s -> s.fd() >= 0)
                    && Durability.fsyncEach(staged.size(), Durability::dirtyBytes)) {
                for (var s : staged.entrySet()) {
                    Libc.fsync(s.getValue().fd(), s.getKey());
                }
            } else {
                Map<String, Integer> dirs = new LinkedHashMap<>();
                staged.values().forEach(s -> dirs.put(s.dirPath(), unsynced.get(s.dirPath())));
                syncFilesystems(dirs);
            }
        } finally {
            closeStagedDescriptors();
        }
    }

    private void closeStagedDescriptors() {
        staged.replaceAll((path, s) -> {
            Libc.close(s.fd());
            return new Staged(s.dirPath(), s.temp(), s.name(), -1);
        });
    }

    /** Renames the staged version of {@code path} over it; false when none is staged. */
    boolean publish(String path) throws IOException {
        Staged s = staged == null ? null : staged.remove(path);
        if (s == null) {
            return false;
        }
        int dir = unsynced.get(s.dirPath());
        try {
            Libc.renameat(dir, s.temp(), s.name(), path);
        } catch (ErrnoException e) {
            unlinkQuietly(dir, s.temp(), path, e);
            throw e;
        }
        return true;
    }

    /** Back to immediate writes; staged versions not published are removed, their targets left as they were. */
    void end() {
        if (staged == null) {
            return;
        }
        closeStagedDescriptors();
        for (var s : staged.entrySet()) {
            unlinkQuietly(unsynced.get(s.getValue().dirPath()), s.getValue().temp(), s.getKey(), null);
        }
        staged = null;
    }

    static void unlinkQuietly(int dir, String temp, String path, Exception cause) {
        try {
            Libc.unlinkat(dir, temp, path);
        } catch (ErrnoException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            } else {
                Log.warn("could not remove an unused temporary file: " + e.getMessage());
            }
        }
    }

    /**
     * Makes the renames durable: an fsync per directory written into when there are few and the
     * machine is busy writing, else one syncfs per filesystem (fs/Durability).
     */
    void syncDirectories() throws IOException {
        end();
        try {
            if (Durability.fsyncEach(unsynced.size(), Durability::dirtyBytes)) {
                for (var dir : unsynced.entrySet()) {
                    Libc.fsync(dir.getValue(), dir.getKey());
                }
            } else {
                syncFilesystems(unsynced);
            }
        } finally {
            unsynced.values().forEach(Libc::close);
            unsynced.clear();
        }
    }

    /** One syncfs for each filesystem that one of {@code dirs} (path to descriptor) is on. */
    private static void syncFilesystems(Map<String, Integer> dirs) throws IOException {
        Set<Long> done = new HashSet<>();
        IOException failure = null;
        for (var dir : dirs.entrySet()) {
            try {
                if (done.add(Libc.device(dir.getValue(), dir.getKey()))) {
                    Libc.syncfs(dir.getValue(), dir.getKey());
                }
            } catch (ErrnoException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
