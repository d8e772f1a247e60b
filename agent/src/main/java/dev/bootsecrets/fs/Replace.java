package dev.bootsecrets.fs;

import com.sun.jna.Memory;
import dev.bootsecrets.fs.Walker.Location;
import java.io.IOException;

/** The one way a file's content is replaced: whole or not at all, never more open than its final mode. */
final class Replace {
    private static final int TEMP_ATTEMPTS = 10;

    private Replace() {}

    /**
     * Puts {@code content} in place of {@code at}: a temporary file in the same directory gets
     * the final owner, mode and label before any content, is written, then fsynced and renamed
     * over the target (or, while {@code batch} stages, left for it). On failure it is removed.
     */
    static void atomically(int dir, Location at, byte[] content, int uid, int gid, int mode, String path,
            SelinuxLabels labels, Batch batch) throws IOException {
        String temp = null;
        int fd = -1;
        for (int attempt = 1; fd < 0; attempt++) {
            temp = StaleTemps.name(at.name());
            try {
                fd = Libc.openat(dir, temp,
                        Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_WRONLY | Libc.O_CLOEXEC, 0600, path);
            } catch (ErrnoException e) {
                if (e.errno() != Libc.EEXIST || attempt == TEMP_ATTEMPTS) {
                    throw e;
                }
            }
        }
        try {
            Libc.fchown(fd, uid, gid, path); // before fchmod: chown clears setuid/setgid bits
            Libc.fchmod(fd, mode, path);
            labels.label(fd, at.realPath(), FileStat.S_IFREG | mode, path);
            writeContent(fd, content, path);
            if (batch.staging()) {
                int kept = fd;
                fd = -1; // the batch owns it now
                batch.stage(path, dir, at.dirPath(), temp, at.name(), kept);
                return;
            }
            Libc.fsync(fd, path);
            Libc.close(fd);
            fd = -1;
            Libc.renameat(dir, temp, at.name(), path);
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            try {
                Libc.unlinkat(dir, temp, path);
            } catch (ErrnoException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        batch.remember(dir, at.dirPath());
    }

    private static void writeContent(int fd, byte[] content, String path) throws IOException {
        if (content.length == 0) {
            return;
        }
        try (Memory buffer = new Memory(content.length)) {
            try {
                buffer.write(0, content, 0, content.length);
                Libc.writeAll(fd, buffer, content.length, path);
            } finally {
                buffer.clear();
            }
        }
    }
}
