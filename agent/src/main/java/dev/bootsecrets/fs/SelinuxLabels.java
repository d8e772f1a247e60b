package dev.bootsecrets.fs;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gives each file and directory the agent creates the SELinux label the policy expects for
 * its path, as restorecon would (sshd will not read an authorized_keys labelled otherwise).
 * Active only on a host with SELinux enabled and libselinux present, and only when the
 * target root is the host's own "/": the host's policy says nothing about a sysroot's paths.
 * The policy's file contexts are loaded at the first label, not when a root is opened: a
 * TargetRoot that only reads (the config, the status) never pays for loading them.
 */
final class SelinuxLabels implements AutoCloseable {
    private static final int SELABEL_CTX_FILE = 0;
    /** Whether the root is the host's "/", the only one whose paths the host's policy labels. */
    private final boolean hostRoot;
    private boolean opened;
    private NativeLibrary lib;
    private Pointer handle;

    private SelinuxLabels(boolean hostRoot) {
        this.hostRoot = hostRoot;
    }

    static SelinuxLabels forRoot(Path realRoot) {
        return new SelinuxLabels(realRoot.equals(Path.of("/")));
    }

    /** Loads the policy's file contexts the first time; a handle stays null where there is none. */
    private synchronized void open() {
        if (opened || !hostRoot) {
            return;
        }
        opened = true;
        if (!Files.exists(Path.of("/sys/fs/selinux/enforce"))) {
            Log.debug("SELinux is not enabled; files keep default labels");
            return;
        }
        try {
            lib = NativeLibrary.getInstance("libselinux.so.1");
        } catch (UnsatisfiedLinkError e) {
            Log.debug("libselinux is not available; files keep default labels");
            return;
        }
        handle = lib.getFunction("selabel_open").invokePointer(new Object[] {SELABEL_CTX_FILE, null, 0});
        if (handle == null) {
            Log.warn("SELinux is enabled but its file contexts could not be loaded (errno "
                    + Native.getLastError() + "); created files keep default labels");
        }
    }

    boolean active() {
        open();
        return handle != null;
    }

    /**
     * Labels the just-created file or directory open as {@code fd}, which will live at
     * {@code realPath} with {@code mode} (type and permission bits).
     */
    void label(int fd, String realPath, int mode, String shown) throws IOException {
        if (!active()) {
            return;
        }
        try (Memory context = new Memory(Native.POINTER_SIZE)) {
            int rc = lib.getFunction("selabel_lookup")
                    .invokeInt(new Object[] {handle, context, Libc.cstr(realPath), mode});
            if (rc != 0) {
                int errno = Native.getLastError();
                if (errno == Libc.ENOENT) {
                    return; // the policy names no label for this path
                }
                throw new ErrnoException("look up SELinux label for", shown, errno, "failed");
            }
            Pointer label = context.getPointer(0);
            try {
                if (lib.getFunction("fsetfilecon").invokeInt(new Object[] {fd, label}) != 0) {
                    throw new ErrnoException("set SELinux label on", shown, Native.getLastError(), "failed");
                }
            } finally {
                lib.getFunction("freecon").invokeVoid(new Object[] {label});
            }
        }
    }

    @Override
    public synchronized void close() {
        if (handle != null) {
            lib.getFunction("selabel_close").invokeVoid(new Object[] {handle});
            handle = null;
        }
    }
}
