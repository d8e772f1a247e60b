package dev.bootsecrets.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed call reports its own errno, by name and text; a call that succeeds after one that failed is not failed. */
class LibcTest {
    @TempDir
    Path sandbox;

    @Test
    void aFailedCallNamesTheOperationThePathAndItsErrno() {
        String missing = sandbox.resolve("missing/file").toString();
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> Libc.openat(Libc.AT_FDCWD, missing, Libc.O_RDONLY | Libc.O_CLOEXEC, 0, "/missing/file"));
        assertEquals(Libc.ENOENT, e.errno());
        assertEquals("open /missing/file: No such file or directory (ENOENT)", e.getMessage());

        ErrnoException notDir = assertThrows(ErrnoException.class,
                () -> Libc.mkdirat(Libc.AT_FDCWD, "/proc/self/status/x", 0700, "/x"));
        assertEquals(Libc.ENOTDIR, notDir.errno());
        assertEquals("create directory /x: Not a directory (ENOTDIR)", notDir.getMessage());
    }

    @Test
    void anAbsentNameIsMinusOneOrNullWhileOtherErrorsStillThrow() throws Exception {
        int dir = Libc.openat(Libc.AT_FDCWD, sandbox.toString(), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0, "/");
        try {
            assertEquals(-1, Libc.openatIfPresent(dir, "absent", Libc.O_PATH | Libc.O_CLOEXEC, 0, "/absent"));
            assertNull(Libc.lstatAt(dir, "absent", "/absent"));

            Files.writeString(sandbox.resolve("file"), "x");
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> Libc.openatIfPresent(dir, "file", Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0, "/file"));
            assertEquals(Libc.ENOTDIR, e.errno());
            assertThrows(ErrnoException.class, () -> Libc.lstatAt(dir, "file/below", "/file/below"));
        } finally {
            Libc.close(dir);
        }
    }

    @Test
    void aSuccessAfterAFailureIsASuccess() throws Exception {
        // errno keeps the earlier failure's value; only the result says whether a call failed.
        assertThrows(ErrnoException.class, () -> Libc.fsync(-1, "/bad"));
        int dir = Libc.openat(Libc.AT_FDCWD, sandbox.toString(), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0, "/");
        try {
            Libc.fsync(dir, "/");
            assertNotNull(Libc.fstat(dir, "/"));
            assertTrue(Libc.fstat(dir, "/").isDirectory());
        } finally {
            Libc.close(dir);
        }
    }
}
