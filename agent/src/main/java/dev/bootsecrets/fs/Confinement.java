package dev.bootsecrets.fs;

import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Landlock confinement of a run. Once applied, this thread and every thread and process it
 * starts later (systemd-creds, nft) can create, change, rename or remove files only beneath the
 * target root's {@code etc}, {@code run}, {@code var}, {@code home} and {@code root}, the places
 * outputs may go, and can open for writing only {@code /dev/null} and the TPM. The kernel checks
 * every open and rename against it, whatever path or link led there, so a bug in the writer or
 * a helper cannot reach {@code /usr}, {@code /proc/sys}, {@code /sys} or the cgroup tree. It
 * holds however the agent was started and cannot be undone. Reading is not restricted.
 *
 * <p>Landlock confines the calling thread and what it starts afterwards. The runtime threads that
 * exist by then (the native image's reference handler and signal dispatcher, JNA's cleaner,
 * and the JVM's own in the JVM build) stay free; none of them runs the agent's code, and the
 * agent registers no shutdown hook or signal handler that would.
 *
 * <p>It takes the place of the unit's mount-namespace settings, which cost about 35 ms of every
 * boot (docs/packaging.md, "The sandbox"); this costs a few system calls. Only a process's
 * {@code main} applies it: tests run commands in-process and must stay free.
 */
public final class Confinement {
    /** What outputs may change, relative to the target root (DESIGN.md, "What is written where"). */
    static final List<String> WRITABLE = List.of("etc", "run", "var", "home", "root");
    /**
     * Of those, the ones a run may have to create in a fresh target root (a sandbox): made first,
     * root:root 0755 as the run would make them, since creating them needs a right beneath the
     * root itself.
     */
    static final List<String> CREATED = List.of("etc", "run", "var");
    /** Devices that are opened for writing: a child's discarded output, and the TPM for systemd-creds. */
    static final List<String> DEVICES = List.of("/dev/null", "/dev/tpmrm0");

    // Landlock's filesystem rights (linux/landlock.h); the ones that change the file tree.
    private static final long WRITE_FILE = 1L << 1, REMOVE_DIR = 1L << 4, REMOVE_FILE = 1L << 5,
            MAKE_CHAR = 1L << 6, MAKE_DIR = 1L << 7, MAKE_REG = 1L << 8, MAKE_SOCK = 1L << 9,
            MAKE_FIFO = 1L << 10, MAKE_BLOCK = 1L << 11, MAKE_SYM = 1L << 12, REFER = 1L << 13,
            TRUNCATE = 1L << 14;

    private Confinement() {}

    /**
     * Confines this process's writes to what a run beneath {@code root} may change.
     *
     * @return the kernel's Landlock ABI version; empty when it has no Landlock, which is logged
     * @throws IOException when the kernel has Landlock and refused the rules: the run must not go on
     */
    public static OptionalInt apply(Path root) throws IOException {
        int abi;
        try {
            abi = Libc.landlockAbi();
        } catch (LinkageError e) {
            Log.warn("writes are not confined: libc is not reachable (" + e.getClass().getSimpleName() + ")");
            return OptionalInt.empty();
        }
        if (abi <= 0) {
            Log.warn("writes are not confined: this kernel offers no Landlock (Linux 5.13 or later, with"
                    + " landlock in its lsm= list; a seccomp filter that refuses landlock_* calls looks the same)");
            return OptionalInt.empty();
        }
        try (TargetRoot target = TargetRoot.open(root)) {
            for (String name : CREATED) {
                target.createParents("/" + name + "/-"); // the parents of a name in it: the directory itself
            }
        }
        long handled = handled(abi);
        List<String> writable = new ArrayList<>();
        int ruleset = Libc.landlockCreateRuleset(handled);
        try {
            int rootFd = Libc.openat(Libc.AT_FDCWD, root.toString(), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0,
                    root.toString());
            try {
                for (String name : WRITABLE) {
                    // Followed if a link: on bootc, /home and /root point into /var.
                    allow(ruleset, handled, rootFd, name, root.resolve(name).toString(), writable);
                }
            } finally {
                Libc.close(rootFd);
            }
            long deviceRights = WRITE_FILE | (handled & TRUNCATE);
            for (String device : DEVICES) {
                allow(ruleset, deviceRights, Libc.AT_FDCWD, device, device, writable);
            }
            Libc.setNoNewPrivs(); // landlock_restrict_self requires it of a process without CAP_SYS_ADMIN
            Libc.landlockRestrictSelf(ruleset);
        } finally {
            Libc.close(ruleset);
        }
        Log.debug("writes confined by Landlock (ABI " + abi + ") to " + String.join(", ", writable));
        return OptionalInt.of(abi);
    }

    /** The rights this kernel knows that change files; a right it does not know cannot be handled. */
    static long handled(int abi) {
        long rights = WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_CHAR | MAKE_DIR | MAKE_REG | MAKE_SOCK
                | MAKE_FIFO | MAKE_BLOCK | MAKE_SYM;
        if (abi >= 2) {
            rights |= REFER; // renames across directories
        }
        if (abi >= 3) {
            rights |= TRUNCATE;
        }
        return rights;
    }

    /** Adds a rule for {@code name} (relative to {@code dirFd}, or absolute); one that does not exist is skipped. */
    private static void allow(int ruleset, long rights, int dirFd, String name, String shown, List<String> writable)
            throws ErrnoException {
        int fd = Libc.openatIfPresent(dirFd, name, Libc.O_PATH | Libc.O_CLOEXEC, 0, shown);
        if (fd < 0) {
            return;
        }
        try {
            Libc.landlockAllowBeneath(ruleset, rights, fd, shown);
            writable.add(shown);
        } finally {
            Libc.close(fd);
        }
    }
}
