package dev.bootsecrets.plan;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** The rules every planned path must follow, wherever it was declared. */
public final class Paths {
    /** Outputs land only here, or in a user's ~/.ssh (judged on the real place: {@link Placement}). */
    public static final List<String> WRITABLE = List.of("/etc/", "/run/", "/var/");

    /** Linux's PATH_MAX (with its NUL) and NAME_MAX, in bytes: longer fails only at write time. */
    static final int MAX_PATH_BYTES = 4095;
    static final int MAX_NAME_BYTES = 255;

    private Paths() {}

    /** Why {@code path} may not be written, or empty when it may. */
    public static Optional<String> problem(String path) {
        if (!path.startsWith("/")) {
            return Optional.of("is not an absolute path");
        }
        if (path.indexOf('\0') >= 0 || path.indexOf('\n') >= 0) {
            return Optional.of("holds a NUL or newline character");
        }
        if (path.endsWith("/")) {
            return Optional.of("names a directory, not a file");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            return Optional.of("is longer than " + MAX_PATH_BYTES + " bytes");
        }
        for (String part : path.substring(1).split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return Optional.of("is not a plain path (empty, '.' or '..' component)");
            }
            if (part.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                return Optional.of("has a component longer than " + MAX_NAME_BYTES + " bytes");
            }
        }
        return Optional.empty();
    }

    /** The parent directory of a planned path. */
    public static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}
