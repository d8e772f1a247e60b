package dev.bootsecrets.fs;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
    @TempDir
    Path sandbox;

    @Test
    void secondRunWaitsThenFailsWhileTheFirstHoldsTheLock() throws Exception {
        try (TargetRoot root = TargetRoot.open(sandbox)) {
            try (RunLock first = RunLock.acquire(root, Duration.ofSeconds(1))) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> CompletableFuture
                        .supplyAsync(() -> acquire(root, Duration.ofMillis(300)))
                        .get());

                IOException cause = assertInstanceOf(IOException.class, e.getCause().getCause());
                assertTrue(cause.getMessage().contains("another bootsecrets run holds /run/bootsecrets/lock"),
                        cause.getMessage());
            }
            // Released: the next run gets it at once.
            CompletableFuture.supplyAsync(() -> acquire(root, Duration.ZERO)).get().close();
        }
        Path dir = sandbox.resolve("run/bootsecrets");
        assertEquals(0700, (Integer) Files.getAttribute(dir, "unix:mode", NOFOLLOW_LINKS) & 07777);
        assertEquals(0, (Integer) Files.getAttribute(dir, "unix:uid", NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(dir.resolve("lock"), NOFOLLOW_LINKS));
    }

    private static RunLock acquire(TargetRoot root, Duration wait) {
        try {
            return RunLock.acquire(root, wait);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
