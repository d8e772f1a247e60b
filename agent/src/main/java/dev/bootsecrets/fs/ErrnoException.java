package dev.bootsecrets.fs;

import java.io.IOException;

/** A failed libc call: the operation, the path it was about and the errno, as one readable message. */
final class ErrnoException extends IOException {
    private final int errno;

    ErrnoException(String operation, String path, int errno, String text) {
        super(operation + " " + path + ": " + text + name(errno));
        this.errno = errno;
    }

    int errno() {
        return errno;
    }

    private static String name(int errno) {
        String name = switch (errno) {
            case Libc.EPERM -> "EPERM";
            case Libc.ENOENT -> "ENOENT";
            case Libc.EIO -> "EIO";
            case Libc.EBADF -> "EBADF";
            case Libc.EAGAIN -> "EAGAIN";
            case Libc.EACCES -> "EACCES";
            case Libc.EEXIST -> "EEXIST";
            case Libc.EXDEV -> "EXDEV";
            case Libc.ENOTDIR -> "ENOTDIR";
            case Libc.EISDIR -> "EISDIR";
            case Libc.EINVAL -> "EINVAL";
            case Libc.ENOSPC -> "ENOSPC";
            case Libc.EROFS -> "EROFS";
            case Libc.ENAMETOOLONG -> "ENAMETOOLONG";
            case Libc.ELOOP -> "ELOOP";
            case Libc.EDQUOT -> "EDQUOT";
            default -> null;
        };
        return name == null ? " (errno " + errno + ")" : " (" + name + ")";
    }
}
