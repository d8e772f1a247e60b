package dev.bootsecrets.fs;

import com.sun.jna.Memory;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Arrays;

/** Reading a file the walk reached: opened without following or blocking, read within a limit, wiped on the way. */
final class FileReads {
    private static final int READ_CHUNK = 64 * 1024;

    private FileReads() {}

    /** A read-only descriptor of regular-file candidate {@code name}, or -1 if it is gone. */
    static int open(int dirFd, String name, String path) throws IOException {
        try {
            // O_NONBLOCK: a FIFO planted here must not hang the agent; it is refused after fstat.
            return Libc.openatIfPresent(dirFd, name,
                    Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0, path);
        } catch (ErrnoException e) {
            if (e.errno() == Libc.ELOOP) {
                throw new UnsafePathException(path, "a symlink appeared at the last component; refusing to follow");
            }
            throw e;
        }
    }

    /**
     * What a read requires of the opened file, beyond its being a regular file: nothing more;
     * for a {@code file:} source, no other hard link unless only root writes its directory (a
     * link planted to /etc/shadow where fs.protected_hardlinks is 0; ostree's /usr links are
     * root's); to be merged into a new file, one link and the given owner's or root's; to be
     * read for this process, one link and its own.
     */
    enum Trust { ANY, SOURCE, OWNER_OR_ROOT, OWN }

    /** Refuses the opened file {@code stat}, in the directory {@code dirFd}, unless {@code trust} holds for it. */
    static void check(FileStat stat, int dirFd, Trust trust, int ownerUid, String path) throws IOException {
        if (!stat.isRegularFile()) {
            throw new UnsafePathException(path, "not a regular file");
        }
        String refusing = trust == Trust.OWN ? "refusing to read it for this process" : "refusing to read it into a new file";
        switch (trust) {
            case ANY -> { }
            case SOURCE -> {
                if (stat.links() > 1 && !Libc.fstat(dirFd, path).onlyRootCanWrite()) {
                    throw new UnsafePathException(path, "has " + stat.links() + " hard links in a directory others can"
                            + " write (another name may be another user's file); " + refusing);
                }
            }
            case OWNER_OR_ROOT, OWN -> {
                if (stat.links() > 1) {
                    throw new UnsafePathException(path, "has " + stat.links()
                            + " hard links (another name may be another user's file); " + refusing);
                }
                boolean orRoot = trust == Trust.OWNER_OR_ROOT;
                if (stat.uid() != ownerUid && !(orRoot && stat.uid() == 0)) {
                    throw new UnsafePathException(path, "belongs to uid " + stat.uid() + ", not to "
                            + (!orRoot ? "uid " + ownerUid : ownerUid == 0 ? "root" : "uid " + ownerUid + " or root") + "; " + refusing);
                }
            }
        }
    }

    /**
     * Reads at most {@code limit} + 1 bytes, so the caller can tell "more than limit". Arrays
     * outgrown on the way are wiped: what is read may be a secret.
     */
    static byte[] readUpTo(int fd, int limit, long sizeHint, String path) throws IOException {
        int most = (int) Math.min(limit + 1L, Integer.MAX_VALUE - 8);
        byte[] data = new byte[(int) Math.min(most, Math.max(sizeHint + 1, 1))];
        int total = 0;
        try (Memory chunk = new Memory(READ_CHUNK)) {
            try {
                while (total < most) {
                    if (total == data.length) {
                        byte[] bigger = Arrays.copyOf(data, (int) Math.min(most, data.length * 2L));
                        Secret.wipe(data);
                        data = bigger;
                    }
                    int n = Libc.read(fd, chunk, Math.min(READ_CHUNK, data.length - total), path);
                    if (n == 0) {
                        break;
                    }
                    chunk.read(0, data, total, n);
                    total += n;
                }
            } finally {
                chunk.clear();
            }
        } catch (IOException | RuntimeException e) {
            Secret.wipe(data);
            throw e;
        }
        if (total == data.length) {
            return data;
        }
        byte[] exact = Arrays.copyOf(data, total);
        Secret.wipe(data);
        return exact;
    }

    /** Whether the existing file {@code name} holds exactly {@code content}. */
    static boolean hasContent(int dirFd, String name, byte[] content, String path) throws IOException {
        int fd = open(dirFd, name, path);
        if (fd < 0) {
            return false;
        }
        byte[] existing = null;
        try {
            if (!Libc.fstat(fd, path).isRegularFile()) {
                return false;
            }
            existing = readUpTo(fd, content.length, content.length, path);
            return MessageDigest.isEqual(existing, content);
        } finally {
            Secret.wipe(existing);
            Libc.close(fd);
        }
    }
}
