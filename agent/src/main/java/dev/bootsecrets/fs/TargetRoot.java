package dev.bootsecrets.fs;

import com.sun.jna.Memory;
import dev.bootsecrets.fs.Walker.Location;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

/**
 * The directory tree the agent writes into ("/", a sysroot, a test sandbox) and the only way
 * to touch it. Paths are absolute paths inside the root ("/home/core/.ssh/authorized_keys"),
 * walked component by component from the root's descriptor (see {@link Walker}): "." and
 * ".." components, empty ones ("//", a trailing "/") and relative paths are refused, not
 * normalized. Writes are atomic and leave a file with its final owner and mode from the
 * first byte on; see "Writing safely" in DESIGN.md.
 */
public final class TargetRoot implements AutoCloseable {
    private static final int READ_CHUNK = 64 * 1024;
    private static final int TEMP_ATTEMPTS = 10;
    /**
     * Up to this many files (or directories) to make durable, each gets its own fsync; past it,
     * one syncfs per filesystem covers them all. An fsync waits for that file's data alone, a
     * syncfs for everything dirty on the filesystem, which on a busy machine (a refresh while an
     * application writes) can be far more than the agent's own few files.
     */
    static final int FSYNC_EACH_LIMIT = 16;

    private final Path root;
    private final int rootFd;
    private final SelinuxLabels labels;
    private final Walker walker;
    /** Directories written into since the last sync, by path, each with a descriptor to sync and rename through. */
    private final Map<String, Integer> unsynced = new LinkedHashMap<>();
    /** New versions left in their temporary files until {@link #publish}, by path; null while writes are immediate. */
    private Map<String, Staged> staged;
    private volatile boolean closed;

    private TargetRoot(Path root, int rootFd, SelinuxLabels labels) {
        this.root = root;
        this.rootFd = rootFd;
        this.labels = labels;
        this.walker = new Walker(rootFd, labels);
    }

    public static TargetRoot open(Path root) throws IOException {
        return open(root, SelinuxLabels::forRoot);
    }

    /** {@link #open(Path)} with the labels {@code labels} makes for the real root (tests). */
    static TargetRoot open(Path root, Function<Path, SelinuxLabels> labels) throws IOException {
        Path real = root.toRealPath();
        int fd = Libc.openat(Libc.AT_FDCWD, real.toString(),
                Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0, real.toString());
        return new TargetRoot(real, fd, labels.apply(real));
    }

    public Path root() {
        return root;
    }

    /** Whether created files get SELinux labels (SELinux enabled, and a policy in the root). */
    boolean labelsFiles() {
        return labels.active();
    }

    /**
     * Reads the regular file at {@code path}; empty if it or a parent does not exist. Symlinks
     * only root could have made are followed, any other is an {@link UnsafePathException}.
     * A file larger than {@code maxBytes} is an IOException naming the path. The caller owns
     * (and should wipe) the returned array.
     */
    public Optional<byte[]> read(String path, int maxBytes) throws IOException {
        return read(path, maxBytes, -1);
    }

    /**
     * Reads the file at {@code path} as {@link #read} does, to merge its lines into the file
     * that replaces it (an authorized_keys block, an append): refused, decided on the opened
     * descriptor, when it has more than one hard link (a planted link to another file, whose
     * content would leak into the new one, whatever fs.protected_hardlinks says) or an owner
     * other than {@code ownerUid} or root.
     */
    public Optional<byte[]> readToMerge(String path, int maxBytes, int ownerUid) throws IOException {
        if (ownerUid < 0) {
            throw new IllegalArgumentException("uid " + ownerUid + " for " + path);
        }
        return read(path, maxBytes, ownerUid);
    }

    /** {@link #read}, and with {@code ownerUid} >= 0 the checks of {@link #readToMerge}. */
    private Optional<byte[]> read(String path, int maxBytes, int ownerUid) throws IOException {
        ensureOpen();
        try (Location at = walker.walk(path, false, true)) {
            if (at == null) {
                return Optional.empty();
            }
            int fd = openForReading(at.dirFd(), at.name(), path);
            if (fd < 0) {
                return Optional.empty();
            }
            try {
                FileStat stat = Libc.fstat(fd, path);
                if (!stat.isRegularFile()) {
                    throw new UnsafePathException(path, "not a regular file");
                }
                if (ownerUid >= 0 && stat.links() > 1) {
                    throw new UnsafePathException(path, "has " + stat.links()
                            + " hard links (another name may be another user's file); refusing to read it into a new file");
                }
                if (ownerUid >= 0 && stat.uid() != ownerUid && stat.uid() != 0) {
                    throw new UnsafePathException(path, "belongs to uid " + stat.uid() + ", not to "
                            + (ownerUid == 0 ? "root" : "uid " + ownerUid + " or root") + "; refusing to read it into a new file");
                }
                byte[] data = readUpTo(fd, maxBytes, stat.size(), path);
                if (data.length > maxBytes) {
                    Secret.wipe(data);
                    throw new IOException(path + " is larger than the limit of " + maxBytes + " bytes");
                }
                return Optional.of(data);
            } finally {
                Libc.close(fd);
            }
        }
    }

    /**
     * The names in the directory at {@code path}, sorted; empty if it or a parent does not
     * exist. It is walked like {@link #read} (symlinks only root could have made), and listed
     * from the opened directory, so what is listed is what the walk checked.
     */
    public Optional<List<String>> list(String path) throws IOException {
        ensureOpen();
        try (Location at = walker.walk(path, false, true)) {
            if (at == null) {
                return Optional.empty();
            }
            int fd;
            try {
                fd = Libc.openatIfPresent(at.dirFd(), at.name(),
                        Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0, path);
            } catch (ErrnoException e) {
                if (e.errno() == Libc.ENOTDIR || e.errno() == Libc.ELOOP) {
                    throw new UnsafePathException(path, "not a directory");
                }
                throw e;
            }
            if (fd < 0) {
                return Optional.empty();
            }
            try {
                List<String> names = new ArrayList<>(Libc.names(fd, path));
                names.sort(null);
                return Optional.of(names);
            } finally {
                Libc.close(fd);
            }
        }
    }

    /** Whether anything is at {@code path} (following only symlinks only root could have made). */
    public boolean exists(String path) throws IOException {
        ensureOpen();
        try (Location at = walker.walk(path, false, true)) {
            return at != null && Libc.lstatAt(at.dirFd(), at.name(), path) != null;
        }
    }

    /**
     * Ensures a directory exists with exactly this owner and mode. Missing parents are created
     * root:root 0755, a missing last component with {@code uid}, {@code gid}, {@code mode}; an
     * existing one gets its group and mode fixed (UPDATED) or is left alone (UNCHANGED).
     */
    public Change ensureDirectory(String path, int uid, int gid, int mode) throws IOException {
        return ensureDirectory(path, uid, gid, mode, true);
    }

    /**
     * Ensures a directory exists, created as {@link #ensureDirectory(String, int, int, int)}
     * does. An existing one must already belong to {@code uid}: a directory of another user
     * (root's /root for a user who shares it as home) is never chowned, nor written into on
     * someone else's behalf, and is an {@link UnsafePathException}. With {@code fixExisting}
     * its group and mode are set too; without, it is used as it is (a home directory).
     */
    public Change ensureDirectory(String path, int uid, int gid, int mode, boolean fixExisting) throws IOException {
        ensureOpen();
        checkMode(path, mode);
        try (Location at = walker.walk(path, true, true)) {
            FileStat seen = Libc.lstatAt(at.dirFd(), at.name(), path);
            if (seen == null) {
                Libc.close(walker.createDirectory(at.dirFd(), at.name(), at.realPath(), uid, gid, mode));
                return Change.CREATED;
            }
            if (!seen.isDirectory()) {
                throw new UnsafePathException(path, at.realPath() + " is not a directory");
            }
            int fd = Libc.openat(at.dirFd(), at.name(),
                    Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0, path);
            try {
                FileStat stat = Libc.fstat(fd, path); // the directory opened, not the one looked at
                if (stat.uid() != uid) {
                    throw new UnsafePathException(path, at.realPath() + " belongs to uid " + stat.uid()
                            + ", not to uid " + uid + "; refusing to change its owner or write into it");
                }
                if (!fixExisting || stat.hasOwnerAndMode(uid, gid, mode)) {
                    return Change.UNCHANGED;
                }
                Libc.fchown(fd, uid, gid, path);
                Libc.fchmod(fd, mode, path);
                return Change.UPDATED;
            } finally {
                Libc.close(fd);
            }
        }
    }

    /**
     * The owner of whatever is at {@code path} (following only symlinks only root could have
     * made), or empty if nothing is there. For early warnings only: what a later write does is
     * decided again on the descriptor it opens.
     */
    public OptionalInt ownerOf(String path) throws IOException {
        ensureOpen();
        try (Location at = walker.walk(path, false, true)) {
            FileStat stat = at == null ? null : Libc.lstatAt(at.dirFd(), at.name(), path);
            return stat == null ? OptionalInt.empty() : OptionalInt.of(stat.uid());
        }
    }

    /** Creates the missing parent directories of {@code path} as root:root 0755; existing ones are untouched. */
    public void createParents(String path) throws IOException {
        ensureOpen();
        walker.walk(path, true, false).close();
    }

    /**
     * Atomically puts {@code content} at {@code path} with this owner and mode; the parent
     * directory must exist. A file that already has exactly this content, owner and mode is
     * not touched (UNCHANGED). Otherwise a temporary file in the same directory gets the final
     * owner and mode before any content, is written, fsynced and renamed over the target; the
     * rename is made durable by {@link #syncDirectories()} (or {@link #close()}), once for all
     * the files written. While {@link #stageWrites() staging}, the temporary file is neither
     * fsynced nor renamed here: see {@link #publish}. On failure the temporary file is removed
     * and the previous file is intact. A symlink or a directory at {@code path} is refused.
     */
    public Change write(String path, byte[] content, int uid, int gid, int mode) throws IOException {
        ensureOpen();
        checkMode(path, mode);
        if (staged != null && staged.containsKey(path)) {
            throw new IllegalStateException(path + " is written twice in one batch");
        }
        try (Location at = walker.walk(path, false, false)) {
            if (at == null) {
                throw new NoSuchFileException(path, null, "parent directory does not exist");
            }
            int dir = Libc.openat(at.dirFd(), ".", Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0, at.dirPath());
            try {
                FileStat old = Libc.lstatAt(dir, at.name(), path);
                if (old != null) {
                    if (old.isSymlink()) {
                        throw new UnsafePathException(path, "it is a symlink; refusing to write through it");
                    }
                    if (old.isDirectory()) {
                        throw new UnsafePathException(path, "a directory is in the way");
                    }
                    if (!old.isRegularFile()) {
                        throw new UnsafePathException(path, "not a regular file");
                    }
                    if (old.hasOwnerAndMode(uid, gid, mode) && old.size() == content.length
                            && hasContent(dir, at.name(), content, path)) {
                        return Change.UNCHANGED;
                    }
                }
                replace(dir, at, content, uid, gid, mode, path);
                return old == null ? Change.CREATED : Change.UPDATED;
            } finally {
                Libc.close(dir);
            }
        }
    }

    /**
     * Removes the file at {@code path}; false if there is none. A symlink there is removed
     * itself, never followed; a directory is refused.
     */
    public boolean remove(String path) throws IOException {
        ensureOpen();
        try (Location at = walker.walk(path, false, false)) {
            FileStat stat = at == null ? null : Libc.lstatAt(at.dirFd(), at.name(), path);
            if (stat == null) {
                return false;
            }
            if (!stat.isRegularFile() && !stat.isSymlink()) {
                throw new UnsafePathException(path, "not a regular file; refusing to remove it");
            }
            try {
                Libc.unlinkat(at.dirFd(), at.name(), path);
                return true;
            } catch (ErrnoException e) {
                if (e.errno() == Libc.ENOENT) {
                    return false;
                }
                throw e;
            }
        }
    }

    /** The directory at {@code path} opened for reading, reached as writes reach it; -1 if there is none. */
    int openDirectory(String path) throws IOException {
        ensureOpen();
        try (Location at = walker.walk(path, false, true)) {
            FileStat stat = at == null ? null : Libc.lstatAt(at.dirFd(), at.name(), path);
            if (stat == null || !stat.isDirectory()) {
                return -1;
            }
            return Libc.openat(at.dirFd(), at.name(), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0, path);
        }
    }

    /** Opens (creating it 0600 if missing) the regular file at {@code path} for {@link RunLock}. */
    int openLockFile(String path) throws IOException {
        ensureOpen();
        try (Location at = walker.walk(path, false, false)) {
            if (at == null) {
                throw new NoSuchFileException(path, null, "parent directory does not exist");
            }
            int flags = Libc.O_RDWR | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;
            int fd;
            try {
                fd = Libc.openat(at.dirFd(), at.name(), flags | Libc.O_CREAT | Libc.O_EXCL, 0600, path);
                try {
                    labels.label(fd, at.realPath(), FileStat.S_IFREG | 0600, path);
                } catch (IOException e) {
                    Libc.close(fd);
                    throw e;
                }
            } catch (ErrnoException e) {
                if (e.errno() != Libc.EEXIST) {
                    throw e;
                }
                fd = Libc.openat(at.dirFd(), at.name(), flags | Libc.O_NONBLOCK, 0, path);
            }
            try {
                if (!Libc.fstat(fd, path).isRegularFile()) {
                    throw new UnsafePathException(path, "not a regular file");
                }
            } catch (IOException e) {
                Libc.close(fd);
                throw e;
            }
            return fd;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            try {
                syncDirectories();
            } catch (IOException e) {
                Log.warn("could not make the last writes durable: " + e.getMessage());
            }
            closed = true;
            Libc.close(rootFd);
            labels.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            // The descriptor number may already belong to another file.
            throw new IllegalStateException("target root " + root + " is closed");
        }
    }

    private static void checkMode(String path, int mode) {
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " for " + path + " is not a permission mode");
        }
    }

    /** A read-only descriptor of regular-file candidate {@code name}, or -1 if it is gone. */
    private static int openForReading(int dirFd, String name, String path) throws IOException {
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
     * Reads at most {@code limit} + 1 bytes, so the caller can tell "more than limit". Arrays
     * outgrown on the way are wiped: what is read may be a secret.
     */
    private static byte[] readUpTo(int fd, int limit, long sizeHint, String path) throws IOException {
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
    private static boolean hasContent(int dirFd, String name, byte[] content, String path) throws IOException {
        int fd = openForReading(dirFd, name, path);
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

    private void replace(int dir, Location at, byte[] content, int uid, int gid, int mode, String path)
            throws IOException {
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
            if (staged != null) {
                // Few files keep their descriptor for an fsync each; many share a syncfs.
                if (staged.size() >= FSYNC_EACH_LIMIT) {
                    Libc.close(fd);
                    fd = -1;
                }
                remember(dir, at.dirPath());
                staged.put(path, new Staged(at.dirPath(), temp, at.name(), fd));
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
        remember(dir, at.dirPath());
    }

    /** Keeps a descriptor of directory {@code dirPath} until the next sync. */
    private void remember(int dir, String dirPath) throws ErrnoException {
        if (!unsynced.containsKey(dirPath)) {
            unsynced.put(dirPath, Libc.openat(dir, ".", Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0, dirPath));
        }
    }

    /**
     * A new version of a file, complete in temporary file {@code temp} beside it in {@code dirPath};
     * {@code fd} is open on it until the sync when the batch may fsync file by file, else -1.
     */
    private record Staged(String dirPath, String temp, String name, int fd) {}

    /**
     * From now on {@link #write} leaves each new version complete in its temporary file, without
     * an fsync, and {@link #publish} renames it over the target once {@link #syncStaged()} has
     * made every one of them durable at once. A run with many files then pays one sync per
     * filesystem for all of them instead of one fsync per file, and a crash still finds each
     * file old or new and complete: no rename happens before the data it points to is on disk.
     * Ends with {@link #endStaging()}.
     */
    public void stageWrites() {
        ensureOpen();
        if (staged == null) {
            staged = new LinkedHashMap<>();
        }
    }

    /**
     * Makes every staged temporary file durable: an fsync each when there are few of them (all
     * kept their descriptor), else one syncfs per filesystem written into.
     */
    public void syncStaged() throws IOException {
        ensureOpen();
        try {
            if (staged.values().stream().allMatch(s -> s.fd() >= 0)) {
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

    /**
     * Renames the staged version of {@code path} over it; false when none is staged (the file
     * was unchanged, or not written in this batch). Call only after {@link #syncStaged()}. On
     * failure the temporary file is removed and the previous file is intact.
     */
    public boolean publish(String path) throws IOException {
        ensureOpen();
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
    public void endStaging() {
        if (staged == null) {
            return;
        }
        closeStagedDescriptors();
        for (var s : staged.entrySet()) {
            unlinkQuietly(unsynced.get(s.getValue().dirPath()), s.getValue().temp(), s.getKey(), null);
        }
        staged = null;
    }

    private static void unlinkQuietly(int dir, String temp, String path, Exception cause) {
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
     * Makes the renames of every write so far durable: an fsync per directory written into when
     * there are few, else one syncfs per filesystem (it covers every directory there). Until
     * then a crash may bring back a file's previous version, never a partial one.
     */
    public void syncDirectories() throws IOException {
        endStaging();
        try {
            if (unsynced.size() <= FSYNC_EACH_LIMIT) {
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
