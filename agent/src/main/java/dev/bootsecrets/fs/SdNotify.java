package dev.bootsecrets.fs;

import dev.bootsecrets.log.Log;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * sd_notify(3) without libsystemd: tells systemd the service's state through the datagram
 * socket named by NOTIFY_SOCKET. Does nothing when not started by systemd with notify access.
 */
public final class SdNotify {
    private SdNotify() {}

    /** Sends {@code state} (e.g. "READY=1\nSTATUS=5 outputs applied"); failures are logged, not thrown. */
    public static void send(String state) {
        send(Optional.ofNullable(System.getenv("NOTIFY_SOCKET")), state);
    }

    static void send(Optional<String> socket, String state) {
        if (socket.isEmpty() || socket.get().isEmpty()) {
            return;
        }
        try {
            Libc.sendDatagram(socket.get(), state.getBytes(StandardCharsets.UTF_8));
        } catch (ErrnoException | LinkageError e) {
            Log.warn("could not notify systemd: " + e.getMessage());
        }
    }
}
