package dev.bootsecrets.fs;

import dev.bootsecrets.fs.FileReads.Trust;
import dev.bootsecrets.fs.Walker.Location;
import dev.bootsecrets.fs.Walker.Missing;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
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
    static final int FSYNC_EACH_LIMIT = Batch.FSYNC_EACH_LIMIT;

    private final Path root;
    private final int rootFd;
    private final SelinuxLabels labels;
    private final Walker walker;
    private final Batch batch = new Batch();
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

    /**
     * Where a file written at {@code path} would really be: its directories resolved through the
     * symlinks only root could have made (bootc's /home -> var/home), as the writer follows them;
     * a link at the last component is the place itself (a write replaces it). A planted link on
     * the way is an {@link UnsafePathException}.
     */
    public Place place(String path) throws IOException {
        return resolve(path, false);
    }

    /** Where a read of {@code path} (or a directory) would really be: {@link #place}, following a safe link at the end too. */
    public Place placeToRead(String path) throws IOException {
        return resolve(path, true);
    }

    private Place resolve(String path, boolean followLast) throws IOException {
        ensureOpen();
        String real = walker.resolve(path, followLast);
        Walker.components(real); // a link into a missing directory may leave "..": never a place
        return new Place(path, real);
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
        return read(path, false, maxBytes, Trust.ANY, -1);
    }

    /** {@link #read} of a resolved place, reached without following any link. */
    public Optional<byte[]> read(Place place, int maxBytes) throws IOException {
        return read(place.real(), true, maxBytes, Trust.ANY, -1);
    }

    /**
     * {@link #read(Place, int)} of a {@code file:} source, refused (on the opened file) when it has
     * other hard links and sits where another user could have linked a file they cannot read
     * (/etc/shadow, if fs.protected_hardlinks is 0); links only root could make (ostree's /usr) are read.
     */
    public Optional<byte[]> readSource(Place place, int maxBytes) throws IOException {
        return read(place.real(), true, maxBytes, Trust.SOURCE, -1);
    }

    /**
     * Reads the file at {@code path} as {@link #read} does, to merge its lines into the file
     * that replaces it (an authorized_keys block, an append): refused, decided on the opened
     * descriptor, when it has more than one hard link (a planted link to another file, whose
     * content would leak into the new one, whatever fs.protected_hardlinks says) or an owner
     * other than {@code ownerUid} or root.
     */
    public Optional<byte[]> readToMerge(Place place, int maxBytes, int ownerUid) throws IOException {
        if (ownerUid < 0) {
            throw new IllegalArgumentException("uid " + ownerUid + " for " + place.real());
        }
        return read(place.real(), true, maxBytes, Trust.OWNER_OR_ROOT, ownerUid);
    }

    /**
     * Reads the file at {@code path}, reached without following any link, only if the opened
     * file is this process's own: its uid's (both as its user namespace shows them, so a rootless
     * podman's child, uid 0 inside, compares like with like; root's files are no exception), one link.
     */
    public Optional<byte[]> readOwn(String path, int maxBytes) throws IOException {
        return read(path, true, maxBytes, Trust.OWN, Libc.getuid());
    }

    /** {@link #read}, the opened file refused unless {@code trust} holds for it ({@code ownerUid}: whose it must be). */
    private Optional<byte[]> read(String path, boolean exact, int maxBytes, Trust trust, int ownerUid) throws IOException {
        ensureOpen();
        try (Location at = walk(path, Missing.STOP, true, exact)) {
            if (at == null) {
                return Optional.empty();
            }
            int fd = FileReads.open(at.dirFd(), at.name(), path);
            if (fd < 0) {
                return Optional.empty();
            }
            try {
                FileStat stat = Libc.fstat(fd, path);
                FileReads.check(stat, at.dirFd(), trust, ownerUid, path);
                byte[] data = FileReads.readUpTo(fd, maxBytes, stat.size(), path);
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
        return ensureDirectory(path, false, uid, gid, mode, fixExisting);
    }

    /** {@link #ensureDirectory(String, int, int, int, boolean)} at a resolved place, reached without following any link. */
    public Change ensureDirectory(Place place, int uid, int gid, int mode, boolean fixExisting) throws IOException {
        return ensureDirectory(place.real(), true, uid, gid, mode, fixExisting);
    }

    private Change ensureDirectory(String path, boolean exact, int uid, int gid, int mode, boolean fixExisting)
            throws IOException {
        ensureOpen();
        checkMode(path, mode);
        try (Location at = walk(path, Missing.CREATE, true, exact, uid)) {
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
        return write(path, false, Missing.STOP, content, uid, gid, mode);
    }

    /**
     * {@link #write(String, byte[], int, int, int)} at a resolved place, reached without following
     * any link, its missing parents made root:root 0755 on the way (one walk for both): a
     * symlink on the way now (made after the place was judged) is refused.
     */
    public Change write(Place place, byte[] content, int uid, int gid, int mode) throws IOException {
        return write(place.real(), true, Missing.CREATE, content, uid, gid, mode);
    }

    private Change write(String path, boolean exact, Missing missing, byte[] content, int uid, int gid, int mode)
            throws IOException {
        ensureOpen();
        checkMode(path, mode);
        if (batch.isStaged(path)) {
            throw new IllegalStateException(path + " is written twice in one batch");
        }
        try (Location at = walk(path, missing, false, exact, uid)) {
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
                            && FileReads.hasContent(dir, at.name(), content, path)) {
                        return Change.UNCHANGED;
                    }
                }
                Replace.atomically(dir, at, content, uid, gid, mode, path, labels, batch);
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
        return remove(path, false);
    }

    /** {@link #remove(String)} at a resolved place, reached without following any link. */
    public boolean remove(Place place) throws IOException {
        return remove(place.real(), true);
    }

    private boolean remove(String path, boolean exact) throws IOException {
        ensureOpen();
        try (Location at = walk(path, Missing.STOP, false, exact)) {
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
        batch.start();
    }

    /**
     * Makes every staged temporary file durable: an fsync each when there are few of them (all
     * kept their descriptor), else one syncfs per filesystem written into.
     */
    public void syncStaged() throws IOException {
        ensureOpen();
        batch.syncStaged();
    }

    /**
     * Renames the staged version of {@code path} (a place's real path) over it; false when none
     * is staged (the file was unchanged, or not written in this batch). Call only after
     * {@link #syncStaged()}. On failure the temporary file is removed and the previous file is intact.
     */
    public boolean publish(String path) throws IOException {
        ensureOpen();
        return batch.publish(path);
    }

    /** Back to immediate writes; staged versions not published are removed, their targets left as they were. */
    public void endStaging() {
        batch.end();
    }

    /**
     * Makes the renames of every write so far durable: an fsync per directory written into when
     * there are few, else one syncfs per filesystem (it covers every directory there). Until
     * then a crash may bring back a file's previous version, never a partial one.
     */
    public void syncDirectories() throws IOException {
        batch.syncDirectories();
    }

    private Location walk(String path, Missing missing, boolean followLast, boolean exact) throws IOException {
        return walk(path, missing, followLast, exact, -1);
    }

    private Location walk(String path, Missing missing, boolean followLast, boolean exact, int owner) throws IOException {
        return walker.walk(path, missing, followLast, exact, owner);
    }
}
