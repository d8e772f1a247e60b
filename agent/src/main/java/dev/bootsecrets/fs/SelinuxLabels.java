package dev.bootsecrets.fs;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gives each file and directory the agent creates the SELinux label the target root's policy
 * expects for its path, as restorecon would (sshd will not read an authorized_keys labelled
 * otherwise). The file contexts are the root's own (its /etc/selinux/config names the policy),
 * so a sysroot is labelled by its policy, never the host's; labels are set only when the
 * running kernel has SELinux enabled (elsewhere setting one needs CAP_SYS_ADMIN, which the
 * unit does not have, and nothing would read it). The file contexts are loaded at the first
 * label, not when a root is opened: a TargetRoot that only reads (the config, the status)
 * never pays for loading them. A root without a policy gets no labels and no message; a
 * policy that cannot be loaded is one warning, and the files keep default labels.
 */
final class SelinuxLabels implements AutoCloseable {
    private static final int SELABEL_CTX_FILE = 0;
    private static final int SELABEL_OPT_PATH = 3;
    /** /etc/selinux/config is a few lines; anything far larger is not one. */
    private static final long CONFIG_LIMIT = 64 * 1024;

    private final Path root;
    /** Whether labels are set, not only looked up: the running kernel has SELinux enabled. */
    private final boolean kernelEnabled;
    private boolean kernelChecked;
    private boolean opened;
    private boolean lookupWarned;
    private NativeLibrary lib;
    private Pointer handle;

    SelinuxLabels(Path root, boolean kernelEnabled) {
        this.root = root;
        this.kernelEnabled = kernelEnabled;
    }

    static SelinuxLabels forRoot(Path realRoot) {
        return new SelinuxLabels(realRoot, Files.exists(Path.of("/sys/fs/selinux/enforce")));
    }

    /**
     * The file contexts of the policy {@code root}'s /etc/selinux/config names, or null when
     * it has none (no config, or SELINUX=disabled). The type defaults to "targeted", as in
     * libselinux.
     */
    static Path fileContexts(Path root) throws IOException {
        Path config = root.resolve("etc/selinux/config");
        if (!Files.isRegularFile(config)) {
            return null;
        }
        if (Files.size(config) > CONFIG_LIMIT) {
            throw new IOException(config + " is larger than " + CONFIG_LIMIT + " bytes");
        }
        String state = "";
        String type = "targeted";
        for (String line : Files.readAllLines(config, StandardCharsets.UTF_8)) {
            String[] pair = line.strip().split("=", 2);
            if (pair.length == 2 && pair[0].strip().equals("SELINUX")) {
                state = unquote(pair[1]);
            } else if (pair.length == 2 && pair[0].strip().equals("SELINUXTYPE")) {
                type = unquote(pair[1]);
            }
        }
        if (state.equals("disabled")) {
            return null;
        }
        if (!type.matches("[A-Za-z0-9_.-]+") || type.matches("\\.+")) {
            throw new IOException(config + " names no usable SELINUXTYPE");
        }
        return root.resolve("etc/selinux").resolve(type).resolve("contexts/files/file_contexts");
    }

    private static String unquote(String value) {
        return value.strip().replaceAll("^\"|\"$", "");
    }

    /** Loads the root's file contexts the first time; the handle stays null where there are none. */
    private synchronized void open() {
        if (opened) {
            return;
        }
        opened = true;
        Path contexts;
        try {
            contexts = fileContexts(root);
        } catch (IOException e) {
            Log.warn("SELinux: " + e.getMessage() + "; created files keep default labels");
            return;
        }
        if (contexts == null) {
            Log.debug("no SELinux policy in " + root + "; files keep default labels");
            return;
        }
        try {
            lib = NativeLibrary.getInstance("libselinux.so.1");
        } catch (UnsatisfiedLinkError e) {
            Log.warn("SELinux: libselinux is not available to read " + contexts + "; created files keep default labels");
            return;
        }
        byte[] path = Libc.cstr(contexts.toString());
        try (Memory text = new Memory(path.length); Memory options = new Memory(16)) {
            text.write(0, path, 0, path.length);
            options.clear();
            options.setInt(0, SELABEL_OPT_PATH); // struct selinux_opt {int type; const char *value;}
            options.setPointer(8, text);
            handle = lib.getFunction("selabel_open").invokePointer(new Object[] {SELABEL_CTX_FILE, options, 1});
        }
        if (handle == null) {
            Log.warn("SELinux: the file contexts " + contexts + " could not be loaded (errno "
                    + Native.getLastError() + "); created files keep default labels");
        }
    }

    /** Whether created files get labels: SELinux is enabled and the root's policy loaded. */
    boolean active() {
        synchronized (this) {
            if (!kernelEnabled) {
                if (!kernelChecked) {
                    kernelChecked = true;
                    Log.debug("SELinux is not enabled; files keep default labels");
                }
                return false;
            }
        }
        open();
        return handle != null;
    }

    /**
     * The label the root's policy gives {@code realPath} with {@code mode} (type and
     * permission bits), or null where it gives none; looked up whether or not the kernel has
     * SELinux, so it can be tested anywhere.
     */
    String contextFor(String realPath, int mode) {
        open();
        Pointer context = lookup(realPath, mode);
        if (context == null) {
            return null;
        }
        try {
            return context.getString(0, StandardCharsets.UTF_8.name());
        } finally {
            lib.getFunction("freecon").invokeVoid(new Object[] {context});
        }
    }

    /** The raw context for the path, to be freed with freecon; null where the policy names none. */
    private synchronized Pointer lookup(String realPath, int mode) {
        if (handle == null) {
            return null;
        }
        try (Memory context = new Memory(Native.POINTER_SIZE)) {
            int rc = lib.getFunction("selabel_lookup_raw")
                    .invokeInt(new Object[] {handle, context, Libc.cstr(realPath), mode});
            if (rc == 0) {
                return context.getPointer(0);
            }
            int errno = Native.getLastError();
            if (errno != Libc.ENOENT && !lookupWarned) { // ENOENT: no label for this path, or <<none>>
                lookupWarned = true;
                Log.warn("SELinux: looking up the label of " + realPath + " failed (errno " + errno
                        + "); it and any other such file keep default labels");
            }
            return null;
        }
    }

    /**
     * Labels the just-created file or directory open as {@code fd}, which will live at
     * {@code realPath} with {@code mode} (type and permission bits).
     */
    void label(int fd, String realPath, int mode, String shown) throws IOException {
        if (!active()) {
            return;
        }
        Pointer label = lookup(realPath, mode);
        if (label == null) {
            return;
        }
        try {
            if (lib.getFunction("fsetfilecon_raw").invokeInt(new Object[] {fd, label}) != 0) {
                throw new ErrnoException("set SELinux label on", shown, Native.getLastError(), "failed");
            }
        } finally {
            lib.getFunction("freecon").invokeVoid(new Object[] {label});
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
