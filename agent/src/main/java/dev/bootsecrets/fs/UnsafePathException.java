package dev.bootsecrets.fs;

import java.io.IOException;

/**
 * A path whose walk met something unsafe: a symlink a non-root user could have planted, a
 * non-directory where a directory should be, a malformed path. The message names the path
 * and the reason, never any content.
 */
public final class UnsafePathException extends IOException {
    private final String path;
    private final String reason;

    public UnsafePathException(String path, String reason) {
        super("unsafe path " + path + ": " + reason);
        this.path = path;
        this.reason = reason;
    }

    public String path() {
        return path;
    }

    public String reason() {
        return reason;
    }
}
