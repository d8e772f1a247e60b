package dev.bootsecrets.fs;

import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Walks an absolute path under the target root one component at a time, each opened with
 * O_NOFOLLOW relative to the directory before it, so no path is ever resolved by the
 * kernel from the host's "/". A symlink on the way is followed only if only root could have
 * made it (a root-owned link in a directory only root can write, like bootc's
 * /home -> var/home); its target is resolved inside the root, never on the host.
 */
final class Walker {
    /** As many links as the kernel follows in one path. */
    private static final int MAX_LINKS = 40;

    private final int rootFd;
    private final SelinuxLabels labels;

    Walker(int rootFd, SelinuxLabels labels) {
        this.rootFd = rootFd;
        this.labels = labels;
    }

    /**
     * Where a walk ended: an open directory (owned by the holder), its real path under the
     * root, and the last component to act on in it ("." when a followed link ended on a
     * directory itself).
     */
    record Location(int dirFd, String dirPath, String name) implements AutoCloseable {
        String realPath() {
            return name.equals(".") ? dirPath : join(dirPath, name);
        }

        @Override
        public void close() {
            Libc.close(dirFd);
        }
    }

    /**
     * The components of an absolute path, refusing everything that could walk elsewhere than
     * it says: relative paths, "." and ".." components, empty ones (so "//" and a trailing "/"
     * are errors, not silently normalized) and NUL bytes.
     */
    static List<String> components(String path) throws UnsafePathException {
        if (path == null || path.isEmpty()) {
            throw new UnsafePathException(String.valueOf(path), "empty path");
        }
        if (path.indexOf('\0') >= 0) {
            throw new UnsafePathException(path.replace('\0', '?'), "contains a NUL byte");
        }
        if (!path.startsWith("/")) {
            throw new UnsafePathException(path, "not an absolute path");
        }
        if (path.equals("/")) {
            throw new UnsafePathException(path, "names the root itself, not a file or directory in it");
        }
        List<String> parts = List.of(path.substring(1).split("/", -1));
        for (String part : parts) {
            if (part.isEmpty()) {
                throw new UnsafePathException(path, "empty component (a doubled or trailing '/')");
            }
            if (part.equals(".") || part.equals("..")) {
                throw new UnsafePathException(path, "'" + part + "' component");
            }
        }
        return parts;
    }

    /** What a walk does at a missing directory on the way. */
    enum Missing {
        /** ends the walk with null */
        STOP,
        /** creates it (root:root 0755) and goes on */
        CREATE,
        /** ends the walk in the deepest directory there is, the rest of the path as its name */
        REST
    }

    /** Walks to the directory holding the last component of {@code path}, following safe symlinks. */
    Location walk(String path, boolean createParents, boolean followLast) throws IOException {
        return walk(path, createParents ? Missing.CREATE : Missing.STOP, followLast, false);
    }

    /**
     * Walks to the directory holding the last component of {@code path}.
     *
     * @param missing    what a missing directory on the way does
     * @param followLast also follow a safe symlink at the last component
     * @param exact      follow no symlink at all: {@code path} is a place resolved before
     *                   ({@link #resolve}), and a link on the way now means it moved
     */
    Location walk(String path, Missing missing, boolean followLast, boolean exact) throws IOException {
        return walk(path, missing, followLast, exact, -1);
    }

    /**
     * {@link #walk(String, Missing, boolean, boolean)} to write a file or directory for
     * {@code owner} (-1: no one in particular): a directory on the way that a local user could
     * have planted (one not root's nor the owner's, in a directory others may write, such as
     * /var/tmp) is refused, since its owner could swap what is written in it.
     */
    Location walk(String path, Missing missing, boolean followLast, boolean exact, int owner) throws IOException {
        Deque<String> todo = new ArrayDeque<>(components(path));
        Deque<Integer> fds = new ArrayDeque<>(); // the open directories from the root down
        Deque<String> names = new ArrayDeque<>();
        fds.push(Libc.openat(rootFd, ".", Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0, "/"));
        try {
            int links = 0;
            while (!todo.isEmpty()) {
                String name = todo.pop();
                if (name.equals(".")) {
                    continue;
                }
                if (name.equals("..")) { // only from a link target; ".." of the root is the root
                    if (fds.size() > 1) {
                        Libc.close(fds.pop());
                        names.pop();
                    }
                    continue;
                }
                boolean last = todo.isEmpty();
                if (last && !followLast) {
                    return new Location(fds.pop(), realPath(names), name);
                }
                String shown = join(realPath(names), name);
                int fd = openNoFollow(fds.peek(), name, shown);
                if (fd < 0 && last) {
                    return new Location(fds.pop(), realPath(names), name);
                }
                if (fd < 0 && missing == Missing.STOP) {
                    return null;
                }
                if (fd < 0 && missing == Missing.REST) {
                    todo.push(name);
                    return new Location(fds.pop(), realPath(names), String.join("/", todo));
                }
                if (fd < 0) {
                    fd = createParent(fds.peek(), name, shown);
                }
                try {
                    FileStat stat = Libc.fstat(fd, shown);
                    if (stat.isSymlink()) {
                        if (exact) {
                            throw new UnsafePathException(path, shown + " is a symlink now, which it was not when the"
                                    + " place was resolved; refusing to follow it");
                        }
                        checkLink(path, fds.peek(), stat, shown);
                        if (++links > MAX_LINKS) {
                            throw new UnsafePathException(path, "too many symbolic links");
                        }
                        String target = Libc.readlink(fd, shown);
                        Log.debug("following symlink " + shown + " -> " + target);
                        if (target.startsWith("/")) { // re-rooted at the target root, never the host's "/"
                            while (fds.size() > 1) {
                                Libc.close(fds.pop());
                                names.pop();
                            }
                        }
                        List<String> parts = new ArrayList<>(List.of(target.split("/")));
                        parts.removeIf(String::isEmpty);
                        for (int i = parts.size() - 1; i >= 0; i--) {
                            todo.push(parts.get(i));
                        }
                        continue;
                    }
                    if (last) {
                        return new Location(fds.pop(), realPath(names), name);
                    }
                    if (!stat.isDirectory()) {
                        throw new UnsafePathException(path, shown + " is not a directory");
                    }
                    if (owner >= 0 && stat.uid() != 0 && stat.uid() != owner && Libc.fstat(fds.peek(), shown).othersCanWrite()) {
                        throw new UnsafePathException(path, shown + " belongs to uid " + stat.uid()
                                + " and sits in a directory others can write; refusing to write into it for uid " + owner);
                    }
                    fds.push(fd);
                    names.push(name);
                    fd = -1; // now owned by fds
                } finally {
                    Libc.close(fd);
                }
            }
            // A followed link ended on a directory itself ("x -> ..", "x -> /").
            return new Location(fds.pop(), realPath(names), ".");
        } finally {
            fds.forEach(Libc::close);
        }
    }

    /**
     * Where {@code path} really is under the root: the path the walk reaches through the safe
     * symlinks it follows (a planted one is an {@link UnsafePathException}), with a missing
     * tail as spelled, since what the writer creates there holds no link.
     *
     * @param followLast also follow a safe symlink at the last component (a read, a directory);
     *                   a write replaces a link there rather than follow it
     */
    String resolve(String path, boolean followLast) throws IOException {
        try (Location at = walk(path, Missing.REST, followLast, false)) {
            return at.realPath();
        }
    }

    /**
     * Creates directory {@code name} in {@code parentFd} with exactly this owner and mode: made
     * 0700 first, then chowned and chmodded, so it is never more open than asked. Returns an
     * open descriptor of it. {@code path} is its real path under the root (for messages and
     * its SELinux label).
     */
    int createDirectory(int parentFd, String name, String path, int uid, int gid, int mode) throws IOException {
        Libc.mkdirat(parentFd, name, 0700, path);
        int fd = Libc.openat(parentFd, name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0, path);
        try {
            Libc.fchown(fd, uid, gid, path);
            Libc.fchmod(fd, mode, path);
            labels.label(fd, path, FileStat.S_IFDIR | mode, path);
        } catch (IOException e) {
            Libc.close(fd);
            throw e;
        }
        Log.debug("created directory " + path);
        return fd;
    }

    /** A missing parent directory, made root:root 0755; one made meanwhile by someone else is used as it is. */
    private int createParent(int parentFd, String name, String path) throws IOException {
        try {
            return createDirectory(parentFd, name, path, 0, 0, 0755);
        } catch (ErrnoException e) {
            if (e.errno() != Libc.EEXIST) {
                throw e;
            }
            return Libc.openat(parentFd, name, Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0, path);
        }
    }

    /** An O_PATH descriptor of {@code name} itself (a symlink is not followed), or -1 if absent. */
    private static int openNoFollow(int dirFd, String name, String shown) throws ErrnoException {
        return Libc.openatIfPresent(dirFd, name, Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0, shown);
    }

    private static void checkLink(String path, int dirFd, FileStat link, String shown) throws IOException {
        FileStat dir = Libc.fstat(dirFd, shown);
        if (link.uid() != 0 || !dir.onlyRootCanWrite()) {
            throw new UnsafePathException(path, "symlink planted at " + shown + "; refusing to follow");
        }
    }

    private static String realPath(Deque<String> names) {
        if (names.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder();
        names.descendingIterator().forEachRemaining(n -> out.append('/').append(n));
        return out.toString();
    }

    static String join(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }
}
