package dev.bootsecrets.fs;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The few Linux libc calls the safe writer needs, through JNA's {@link Function} (no
 * {@code Library} proxies, no {@code Structure}s: both need reflection in a native image).
 * Every call that can fail throws an {@link ErrnoException} naming the operation and the
 * path. Assumes 64-bit Linux (size_t and ssize_t are Java longs).
 *
 * <p>A call's failure is its -1 result, and its errno is read from JNA's per-thread copy
 * ({@link Native#getLastError()}). JNA's own {@code THROW_LAST_ERROR} mode would raise a
 * LastErrorException from native code, which costs three exceptions and their stack walks
 * per failure; a run meets dozens of expected ENOENTs while it looks for optional files.
 */
final class Libc {
    static final int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, EBADF = 9, EAGAIN = 11,
            EACCES = 13, EEXIST = 17, EXDEV = 18, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
            ENOSPC = 28, EROFS = 30, ENAMETOOLONG = 36, ELOOP = 40, EDQUOT = 122;

    /** O_DIRECTORY and O_NOFOLLOW have other values on arm and powerpc than on the generic ABI. */
    private static final boolean ARM_OR_PPC = armOrPpc(System.getProperty("os.arch", ""));

    static final int O_RDONLY = 0, O_WRONLY = 01, O_RDWR = 02, O_CREAT = 0100, O_EXCL = 0200,
            O_NOCTTY = 0400, O_NONBLOCK = 04000, O_CLOEXEC = 02000000, O_PATH = 010000000;
    static final int O_DIRECTORY = ARM_OR_PPC ? 040000 : 0200000;
    static final int O_NOFOLLOW = ARM_OR_PPC ? 0100000 : 0400000;

    static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int LOCK_EX = 2, LOCK_NB = 4;
    private static final int PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4, PR_SET_NO_NEW_PRIVS = 38;
    /** Landlock's system calls have these numbers on every architecture (the unified table). */
    private static final long SYS_LANDLOCK_CREATE_RULESET = 444, SYS_LANDLOCK_ADD_RULE = 445,
            SYS_LANDLOCK_RESTRICT_SELF = 446;
    private static final long LANDLOCK_CREATE_RULESET_VERSION = 1, LANDLOCK_RULE_PATH_BENEATH = 1;
    private static final int PATH_MAX = 4096;
    private static final int READ_DIR = 32 * 1024;
    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = 02000000,
            MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;
    static final int ECONNREFUSED = 111;
    /** SO_PEERCRED is 21 on powerpc, 17 on the generic ABI. */
    private static final int SOL_SOCKET = 1, SO_PEERCRED = System.getProperty("os.arch", "").startsWith("ppc") ? 21 : 17;
    /** struct ucred: pid, uid and gid, each an int. */
    private static final int UCRED = 12;
    /** struct pollfd: an int fd, a short of events asked, a short of events seen. */
    private static final int POLLFD = 8;
    static final short POLLIN = 1, POLLOUT = 4;
    /** sizeof(struct sockaddr_un): a 2-byte family, then 108 bytes of path. */
    private static final int SOCKADDR_UN = 110;
    /** What a process-wide call's error names instead of a path. */
    private static final String PROCESS = "for this process";

    static {
        JnaHelper.useShipped();
        // JNA's first use otherwise runs "ldconfig -p" to list library directories: a child
        // process and a third of a boot run. Libraries are opened by soname (libc.so.6,
        // libselinux.so.1), which the dynamic loader finds by itself.
        if (System.getProperty("jna.platform.library.path") == null) {
            System.setProperty("jna.platform.library.path", "");
        }
    }

    private static final NativeLibrary C = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
    private static final Function OPENAT = C.getFunction("openat");
    private static final Function MKDIRAT = C.getFunction("mkdirat");
    private static final Function FCHOWN = C.getFunction("fchown");
    private static final Function FCHMOD = C.getFunction("fchmod");
    private static final Function FSYNC = C.getFunction("fsync");
    private static final Function SYNCFS = C.getFunction("syncfs");
    private static final Function RENAMEAT = C.getFunction("renameat");
    private static final Function UNLINKAT = C.getFunction("unlinkat");
    private static final Function CLOSE = C.getFunction("close");
    private static final Function READ = C.getFunction("read");
    private static final Function WRITE = C.getFunction("write");
    private static final Function FLOCK = C.getFunction("flock");
    private static final Function PRCTL = C.getFunction("prctl");
    private static final Function READLINKAT = C.getFunction("readlinkat");
    private static final Function STATX = C.getFunction("statx");
    private static final Function GETDENTS64 = C.getFunction("getdents64");
    private static final Function SOCKET = C.getFunction("socket");
    private static final Function GETUID = C.getFunction("getuid");
    private static final Function SENDTO = C.getFunction("sendto");
    private static final Function SEND = C.getFunction("send");
    private static final Function RECV = C.getFunction("recv");
    private static final Function CONNECT = C.getFunction("connect");
    private static final Function GETSOCKOPT = C.getFunction("getsockopt");
    private static final Function POLL = C.getFunction("poll");
    private static final Function SYSCALL = C.getFunction("syscall");
    private static final Function UMASK = C.getFunction("umask"); // cannot fail: it returns the old mask
    private static final Function STRERROR = C.getFunction("strerror");

    private Libc() {}

    private static boolean armOrPpc(String arch) {
        return arch.startsWith("aarch64") || arch.startsWith("arm") || arch.startsWith("ppc");
    }

    /** {@code result}, unless it is -1: then the call's errno, as an ErrnoException. */
    private static long check(long result, String operation, String shown) throws ErrnoException {
        if (result == -1) {
            throw error(operation, shown, Native.getLastError());
        }
        return result;
    }

    /** A NUL-terminated UTF-8 copy of {@code s}: JNA's own String conversion follows the locale. */
    static byte[] cstr(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, out, 0, utf8.length);
        return out;
    }

    static int openat(int dirfd, String name, int flags, int mode, String shown) throws ErrnoException {
        return open(dirfd, name, flags, mode, shown, false);
    }

    /** As {@link #openat}, but -1 when {@code name} does not exist: the many lookups that expect that throw nothing. */
    static int openatIfPresent(int dirfd, String name, int flags, int mode, String shown) throws ErrnoException {
        return open(dirfd, name, flags, mode, shown, true);
    }

    private static int open(int dirfd, String name, int flags, int mode, String shown, boolean absentIsMinusOne)
            throws ErrnoException {
        while (true) {
            int fd = OPENAT.invokeInt(new Object[] {dirfd, cstr(name), flags, mode});
            if (fd >= 0) {
                return fd;
            }
            int errno = Native.getLastError();
            if (errno == ENOENT && absentIsMinusOne) {
                return -1;
            }
            if (errno != EINTR) {
                throw error("open", shown, errno);
            }
        }
    }

    static void mkdirat(int dirfd, String name, int mode, String shown) throws ErrnoException {
        check(MKDIRAT.invokeInt(new Object[] {dirfd, cstr(name), mode}), "create directory", shown);
    }

    static void fchown(int fd, int uid, int gid, String shown) throws ErrnoException {
        check(FCHOWN.invokeInt(new Object[] {fd, uid, gid}), "chown", shown);
    }

    static void fchmod(int fd, int mode, String shown) throws ErrnoException {
        check(FCHMOD.invokeInt(new Object[] {fd, mode}), "chmod", shown);
    }

    static void fsync(int fd, String shown) throws ErrnoException {
        check(FSYNC.invokeInt(new Object[] {fd}), "fsync", shown);
    }

    /** syncfs(2): every dirty file and directory of the filesystem {@code fd} is on, written and flushed. */
    static void syncfs(int fd, String shown) throws ErrnoException {
        check(SYNCFS.invokeInt(new Object[] {fd}), "sync the filesystem of", shown);
    }

    static void renameat(int dirfd, String from, String to, String shown) throws ErrnoException {
        check(RENAMEAT.invokeInt(new Object[] {dirfd, cstr(from), dirfd, cstr(to)}), "rename into", shown);
    }

    static void unlinkat(int dirfd, String name, String shown) throws ErrnoException {
        check(UNLINKAT.invokeInt(new Object[] {dirfd, cstr(name), 0}), "remove", shown);
    }

    /** Closes without complaint: by then the data is fsynced, or the operation already failed. */
    static void close(int fd) {
        if (fd < 0) {
            return;
        }
        // EINTR and EIO on close leave the descriptor closed on Linux: its result is not looked at.
        CLOSE.invokeInt(new Object[] {fd});
    }

    /** Reads up to {@code length} bytes into {@code buffer}; 0 at end of file. */
    static int read(int fd, Memory buffer, int length, String shown) throws ErrnoException {
        while (true) {
            long n = READ.invokeLong(new Object[] {fd, buffer, (long) length});
            if (n >= 0) {
                return (int) n;
            }
            int errno = Native.getLastError();
            if (errno != EINTR) {
                throw error("read", shown, errno);
            }
        }
    }

    static void writeAll(int fd, Memory buffer, long length, String shown) throws ErrnoException {
        long done = 0;
        while (done < length) {
            long n = WRITE.invokeLong(new Object[] {fd, buffer.share(done), length - done});
            if (n >= 0) {
                done += n;
                continue;
            }
            int errno = Native.getLastError();
            if (errno != EINTR) {
                throw error("write", shown, errno);
            }
        }
    }

    /** flock(LOCK_EX|LOCK_NB): true if taken, false if another open file holds it. */
    static boolean tryLock(int fd, String shown) throws ErrnoException {
        if (FLOCK.invokeInt(new Object[] {fd, LOCK_EX | LOCK_NB}) == 0) {
            return true;
        }
        int errno = Native.getLastError();
        if (errno == EAGAIN || errno == EINTR) {
            return false;
        }
        throw error("lock", shown, errno);
    }

    /**
     * Sends one datagram to the AF_UNIX socket at {@code path}; a leading '@' names an
     * abstract socket (sd_notify's convention). The JDK has no unix datagram sockets.
     */
    static void sendDatagram(String path, byte[] message) throws ErrnoException {
        int fd = (int) check(SOCKET.invokeInt(new Object[] {AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0}),
                "socket for", path);
        try (Memory address = new Memory(SOCKADDR_UN); Memory data = new Memory(Math.max(1, message.length))) {
            int length = address(address, path, "send to");
            data.write(0, message, 0, message.length);
            check(SENDTO.invokeLong(new Object[] {fd, data, (long) message.length, MSG_NOSIGNAL, address, length}),
                    "send to", path);
        } finally {
            close(fd);
        }
    }

    /** Fills {@code address} with a sockaddr_un for {@code path} ({@code @NAME} is abstract) and gives its length. */
    private static int address(Memory address, String path, String operation) throws ErrnoException {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = name.length > 0 && name[0] == '@';
        if (abstractName) {
            name[0] = 0;
        }
        if (name.length >= SOCKADDR_UN - 2) {
            throw new ErrnoException(operation, path, ENAMETOOLONG, "socket path too long");
        }
        address.clear();
        address.setShort(0, (short) AF_UNIX);
        address.write(2, name, 0, name.length);
        // An abstract name's length is exact; a path's includes its NUL terminator.
        return 2 + name.length + (abstractName ? 0 : 1);
    }

    /**
     * A Unix stream socket connected to {@code path}; {@code shown} names it in errors.
     *
     * @throws ErrnoException with ECONNREFUSED when nothing listens there
     */
    static int connectStream(String path, String shown) throws ErrnoException {
        int fd = (int) check(SOCKET.invokeInt(new Object[] {AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0}), "socket for", shown);
        try (Memory address = new Memory(SOCKADDR_UN)) {
            int length = address(address, path, "connect to");
            check(CONNECT.invokeInt(new Object[] {fd, address, length}), "connect to", shown);
            return fd;
        } catch (ErrnoException e) {
            close(fd);
            throw e;
        }
    }

    /** SO_PEERCRED: the pid, uid and gid of the process that listened on the socket {@code fd} is connected to. */
    static int[] peerCredentials(int fd, String shown) throws ErrnoException {
        try (Memory ucred = new Memory(UCRED); Memory length = new Memory(4)) {
            ucred.clear();
            length.setInt(0, UCRED);
            check(GETSOCKOPT.invokeInt(new Object[] {fd, SOL_SOCKET, SO_PEERCRED, ucred, length}),
                    "read the peer's credentials of", shown);
            return new int[] {ucred.getInt(0), ucred.getInt(4), ucred.getInt(8)};
        }
    }

    /** poll(2) on one descriptor: whether any of {@code events} (or an error or hang-up) came within the time. */
    static boolean poll(int fd, short events, int timeoutMillis, String shown) throws ErrnoException {
        try (Memory pollfd = new Memory(POLLFD)) {
            pollfd.setInt(0, fd);
            pollfd.setShort(4, events);
            pollfd.setShort(6, (short) 0);
            int n = POLL.invokeInt(new Object[] {pollfd, 1L, timeoutMillis});
            if (n < 0) {
                int errno = Native.getLastError();
                if (errno == EINTR) {
                    return false;
                }
                throw error("wait for", shown, errno);
            }
            return n > 0;
        }
    }

    /** Sends what the socket takes now without waiting; 0 when it takes nothing yet. */
    static int send(int fd, Memory data, long length, String shown) throws ErrnoException {
        long n = SEND.invokeLong(new Object[] {fd, data, length, MSG_NOSIGNAL | MSG_DONTWAIT});
        return n >= 0 ? (int) n : notYet("send to", shown);
    }

    /** Receives what has come without waiting: 0 when nothing has yet, -1 at the end of the stream. */
    static int receive(int fd, Memory buffer, long length, String shown) throws ErrnoException {
        long n = RECV.invokeLong(new Object[] {fd, buffer, length, MSG_DONTWAIT});
        return n > 0 ? (int) n : n == 0 ? -1 : notYet("receive from", shown);
    }

    /** 0 for a call that would have waited or was interrupted; the errno as an exception otherwise. */
    private static int notYet(String operation, String shown) throws ErrnoException {
        int errno = Native.getLastError();
        if (errno == EAGAIN || errno == EINTR) {
            return 0;
        }
        throw error(operation, shown, errno);
    }

    static int umask(int mask) {
        return UMASK.invokeInt(new Object[] {mask});
    }

    static void setDumpable(boolean dumpable) throws ErrnoException {
        check(PRCTL.invokeInt(new Object[] {PR_SET_DUMPABLE, dumpable ? 1L : 0L, 0L, 0L, 0L}),
                "prctl(PR_SET_DUMPABLE)", PROCESS);
    }

    /** prctl(PR_SET_NO_NEW_PRIVS): nothing this process runs from now on gains privileges (set-id, file caps). */
    static void setNoNewPrivs() throws ErrnoException {
        check(PRCTL.invokeInt(new Object[] {PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L}),
                "prctl(PR_SET_NO_NEW_PRIVS)", PROCESS);
    }

    /** The Landlock ABI version the kernel offers; 0 when it has none (too old, or not enabled at boot). */
    static int landlockAbi() {
        long abi = SYSCALL.invokeLong(new Object[] {SYS_LANDLOCK_CREATE_RULESET, null, 0L, LANDLOCK_CREATE_RULESET_VERSION});
        return (int) Math.max(abi, 0); // -1 with ENOSYS: not built in; with EOPNOTSUPP: built in, not enabled
    }

    /** A new Landlock ruleset that handles {@code handledAccess} (struct landlock_ruleset_attr, its first field). */
    static int landlockCreateRuleset(long handledAccess) throws ErrnoException {
        Memory attr = new Memory(8);
        attr.setLong(0, handledAccess);
        return (int) check(SYSCALL.invokeLong(new Object[] {SYS_LANDLOCK_CREATE_RULESET, attr, 8L, 0L}),
                "landlock_create_ruleset", PROCESS);
    }

    /** Allows {@code allowedAccess} beneath the file or directory {@code parentFd} (an O_PATH descriptor). */
    static void landlockAllowBeneath(int rulesetFd, long allowedAccess, int parentFd, String shown) throws ErrnoException {
        // struct landlock_path_beneath_attr is packed: a u64, then an s32.
        Memory attr = new Memory(12);
        attr.setLong(0, allowedAccess);
        attr.setInt(8, parentFd);
        check(SYSCALL.invokeLong(new Object[] {SYS_LANDLOCK_ADD_RULE, (long) rulesetFd, LANDLOCK_RULE_PATH_BENEATH, attr, 0L}),
                "landlock_add_rule", shown);
    }

    /** Confines the calling thread, and every thread and process it starts later, to the ruleset. */
    static void landlockRestrictSelf(int rulesetFd) throws ErrnoException {
        check(SYSCALL.invokeLong(new Object[] {SYS_LANDLOCK_RESTRICT_SELF, (long) rulesetFd, 0L}),
                "landlock_restrict_self", PROCESS);
    }

    static boolean isDumpable() throws ErrnoException {
        return check(PRCTL.invokeInt(new Object[] {PR_GET_DUMPABLE, 0L, 0L, 0L, 0L}),
                "prctl(PR_GET_DUMPABLE)", PROCESS) != 0;
    }

    /** The target of the symlink that {@code fd} (opened with O_PATH|O_NOFOLLOW) refers to. */
    static String readlink(int fd, String shown) throws ErrnoException {
        try (Memory buffer = new Memory(PATH_MAX)) {
            long n = check(READLINKAT.invokeLong(new Object[] {fd, cstr(""), buffer, (long) PATH_MAX}),
                    "read symlink", shown);
            if (n >= PATH_MAX) {
                throw new ErrnoException("read symlink", shown, ENAMETOOLONG, "target too long");
            }
            byte[] target = new byte[(int) n];
            buffer.read(0, target, 0, target.length);
            return new String(target, StandardCharsets.UTF_8);
        }
    }

    /** This process's real uid, as its user namespace shows it (as fstat shows owners). */
    static int getuid() {
        return GETUID.invokeInt(new Object[0]);
    }

    /** Metadata of the file that {@code fd} refers to, whatever its type. */
    static FileStat fstat(int fd, String shown) throws ErrnoException {
        return statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, shown);
    }

    /** Metadata of {@code name} in {@code dirfd} without following a symlink; null if absent. */
    static FileStat lstatAt(int dirfd, String name, String shown) throws ErrnoException {
        return statx(dirfd, name, AT_SYMLINK_NOFOLLOW, shown);
    }

    /**
     * The names in the directory open (for reading) at {@code fd}, but "." and "..".
     * getdents64(2)'s records are the same on every architecture: d_ino (8), d_off (8),
     * d_reclen (2), d_type (1), then the NUL-terminated name.
     */
    static List<String> names(int fd, String shown) throws ErrnoException {
        List<String> names = new ArrayList<>();
        try (Memory buffer = new Memory(READ_DIR)) {
            while (true) {
                long n = check(GETDENTS64.invokeLong(new Object[] {fd, buffer, (long) READ_DIR}), "list", shown);
                if (n <= 0) {
                    return names;
                }
                for (int at = 0; at < n; at += buffer.getShort(at + 16) & 0xffff) {
                    String name = buffer.getString(at + 19, StandardCharsets.UTF_8.name());
                    if (!name.equals(".") && !name.equals("..")) {
                        names.add(name);
                    }
                }
            }
        }
    }

    /** The device (major << 32 | minor) of the filesystem {@code fd} is on. */
    static long device(int fd, String shown) throws ErrnoException {
        try (Memory buffer = new Memory(256)) {
            check(STATX.invokeInt(new Object[] {fd, cstr(""), AT_EMPTY_PATH, STATX_BASIC_STATS, buffer}),
                    "stat", shown);
            return (buffer.getInt(136) & 0xffffffffL) << 32 | (buffer.getInt(140) & 0xffffffffL);
        }
    }

    /**
     * statx(2): its struct has the same layout on every architecture, unlike struct stat. Null
     * when {@code name} does not exist ({@code fd} itself, with AT_EMPTY_PATH, always does).
     */
    private static FileStat statx(int dirfd, String name, int flags, String shown) throws ErrnoException {
        try (Memory buffer = new Memory(256)) {
            if (STATX.invokeInt(new Object[] {dirfd, cstr(name), flags, STATX_BASIC_STATS, buffer}) != 0) {
                int errno = Native.getLastError();
                if (errno == ENOENT && !name.isEmpty()) {
                    return null;
                }
                throw error("stat", shown, errno);
            }
            return new FileStat(
                    buffer.getInt(20),
                    buffer.getInt(24),
                    buffer.getShort(28) & 0xffff,
                    buffer.getLong(40),
                    buffer.getLong(32),
                    buffer.getInt(16));
        }
    }

    private static ErrnoException error(String operation, String shown, int errno) {
        // glibc's strerror returns a constant string for every errno it knows, and never null.
        String text = STRERROR.invokePointer(new Object[] {errno}).getString(0, StandardCharsets.UTF_8.name());
        return new ErrnoException(operation, shown, errno, text.isEmpty() ? "failed" : text);
    }
}
