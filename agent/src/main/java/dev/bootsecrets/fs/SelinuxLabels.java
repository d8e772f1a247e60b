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
 */
final class SelinuxLabels implements AutoCloseable {
    private static final int SELABEL_CTX_FILE = 0;
    private static final SelinuxLabels NONE = new SelinuxLabels(null, null);

    private final NativeLibrary lib;
    private Pointer handle;

    private SelinuxLabels(NativeLibrary lib, Pointer handle) {
        this.lib = lib;
        this.handle = handle;
    }

    static SelinuxLabels forRoot(Path realRoot) {
        if (!realRoot.equals(Path.of("/"))) {
            return NONE;
        }
        if (!Files.exists(Path.of("/sys/fs/selinux/enforce"))) {
            Log.debug("SELinux is not enabled; files keep default labels");
            return NONE;
        }
        NativeLibrary lib;
        try {
            lib = NativeLibrary.getInstance("libselinux.so.1");
        } catch (UnsatisfiedLinkError e) {
            Log.debug("libselinux is not available; files keep default labels");
            return NONE;
        }
        Pointer handle = lib.getFunction("selabel_open").invokePointer(new Object[] {SELABEL_CTX_FILE, null, 0});
        if (handle == null) {
            Log.warn("SELinux is enabled but its file contexts could not be loaded (errno "
                    + Native.getLastError() + "); created files keep default labels");
            return NONE;
        }
        return new SelinuxLabels(lib, handle);
    }

    boolean active() {
        return handle != null;
    }

    /**
     * Labels the just-created file or directory open as {@code fd}, which will live at
     * {@code realPath} with {@code mode} (type and permission bits).
     */
    void label(int fd, String realPath, int mode, String shown) throws IOException {
        if (handle == null) {
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
    public void close() {
        if (handle != null) {
            lib.getFunction("selabel_close").invokeVoid(new Object[] {handle});
            handle = null;
        }
    }
}
