package dev.bootsecrets.fs;

import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;

/**
 * Serializes runs of the agent on one target root: an exclusive flock on
 * /run/bootsecrets/lock, held until {@link #close()} (or until the process exits); and, on a
 * lock file of their own, the credential helper's fetches of one registry's token.
 */
public final class RunLock implements AutoCloseable {
    static final String DIRECTORY = "/run/bootsecrets";
    static final String PATH = DIRECTORY + "/lock";
    private static final long POLL_MILLIS = 100;

    private int fd;

    private RunLock(int fd) {
        this.fd = fd;
    }

    /** Takes the lock, waiting up to {@code wait} for another run to release it. */
    public static RunLock acquire(TargetRoot root, Duration wait) throws IOException {
        root.ensureDirectory(DIRECTORY, 0, 0, 0700);
        return acquire(root, PATH, wait, "another bootsecrets run");
    }

    /**
     * An exclusive flock on {@code path} (a root-only file, made if missing, in a directory that
     * must exist), waiting up to {@code wait} for {@code holder} to release it.
     */
    public static RunLock acquire(TargetRoot root, String path, Duration wait, String holder) throws IOException {
        int fd = root.openLockFile(path);
        try {
            long deadline = System.nanoTime() + wait.toNanos();
            boolean told = false;
            while (!Libc.tryLock(fd, path)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException(holder + " holds " + path + "; gave up after waiting " + shown(wait));
                }
                if (!told) {
                    Log.notice("waiting up to " + shown(wait) + " for " + holder + " to release " + path);
                    told = true;
                }
                Thread.sleep(Math.min(POLL_MILLIS, Math.max(1, left / 1_000_000)));
            }
            return new RunLock(fd);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Libc.close(fd);
            throw new InterruptedIOException("interrupted while waiting for " + path);
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** "30s", "1m30s", "0.3s" rather than ISO-8601's "PT30S". */
    private static String shown(Duration duration) {
        return duration.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    /** Releases the lock: closing the only descriptor of the open file drops the flock. */
    @Override
    public void close() {
        Libc.close(fd);
        fd = -1;
    }
}
