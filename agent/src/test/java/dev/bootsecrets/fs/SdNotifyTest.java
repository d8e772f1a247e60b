package dev.bootsecrets.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify against a real unix datagram socket, received by socat as systemd would. */
class SdNotifyTest {

    @Test
    void readyReachesTheNotifySocket(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("notify");
        Path received = dir.resolve("received");
        Process socat = new ProcessBuilder("socat", "-u", "UNIX-RECV:" + socket, "CREATE:" + received)
                .redirectErrorStream(true).start();
        try {
            for (int i = 0; i < 100 && !Files.exists(socket); i++) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(socket), "socat did not create the socket");
            SdNotify.send(Optional.of(socket.toString()), "READY=1\nSTATUS=3 outputs applied");
            for (int i = 0; i < 100 && (!Files.exists(received) || Files.size(received) == 0); i++) {
                Thread.sleep(50);
            }
            assertEquals("READY=1\nSTATUS=3 outputs applied", Files.readString(received, StandardCharsets.UTF_8));
        } finally {
            socat.destroy();
            socat.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
