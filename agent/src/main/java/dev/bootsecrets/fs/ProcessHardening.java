package dev.bootsecrets.fs;

import dev.bootsecrets.log.Log;

/**
 * Process-wide hardening, applied first thing: umask 077 (nothing the process creates is
 * readable by others by accident) and not dumpable (no core file, no ptrace by the same
 * uid, /proc/self owned by root: the process holds secrets).
 */
public final class ProcessHardening {
    private ProcessHardening() {}

    public static void apply() {
        try {
            Libc.umask(077);
            Libc.setDumpable(false);
        } catch (LinkageError e) {
            Log.debug("process hardening skipped: libc is not reachable (" + e + ")");
        } catch (ErrnoException e) {
            Log.warn("could not make the process non-dumpable: " + e.getMessage());
        }
    }
}
