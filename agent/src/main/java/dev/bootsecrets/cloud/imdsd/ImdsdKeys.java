package dev.bootsecrets.cloud.imdsd;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.MetadataKeys;
import dev.bootsecrets.fs.LocalSocket;
import dev.bootsecrets.http.Deadline;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Metadata keys from systemd-imdsd ({@code io.systemd.InstanceMetadata.Get}), which reads
 * them below the cloud's data URL with the cloud's token and headers, through the lock.
 * Each call has a connection of its own, so a provider's parallel reads stay parallel.
 */
final class ImdsdKeys implements MetadataKeys {
    static final String INTERFACE = "io.systemd.InstanceMetadata";
    /** systemd-imdsd takes at most 4 MiB from the cloud; base64 and the JSON around it add a third. */
    private static final int MAX_REPLY = 6 << 20;

    private final Path socket;
    private final Deadline deadline;
    private final AtomicInteger requests = new AtomicInteger();

    ImdsdKeys(Path socket, Deadline deadline) {
        this.socket = socket;
        this.deadline = deadline;
    }

    @Override
    public Optional<byte[]> get(String key, int maxBytes) throws MetadataException {
        requests.incrementAndGet();
        Varlink.Reply reply = call(socket, "Get", key, deadline);
        if (isError(reply, "KeyNotFound") || isError(reply, "WellKnownKeyUnset")) {
            return Optional.empty();
        }
        if (!reply.ok()) {
            throw failed(socket, reply, endpoint(key));
        }
        byte[] data;
        try {
            data = Base64.getDecoder().decode(reply.parameters().path("data").asText(""));
        } catch (IllegalArgumentException e) {
            throw MetadataException.invalid(endpoint(key), "data is not base64");
        }
        if (data.length > maxBytes) {
            throw MetadataException.invalid(endpoint(key), "more than " + maxBytes + " bytes");
        }
        return Optional.of(data);
    }

    @Override
    public String endpoint(String key) {
        int q = key.indexOf('?');
        return "systemd-imdsd " + (q < 0 ? key : key.substring(0, q));
    }

    @Override
    public int requests() {
        return requests.get();
    }

    /**
     * One call of {@code method} ({@code key} as its parameter unless null), on a connection of
     * its own to a socket root made and root listens on.
     */
    static Varlink.Reply call(Path socket, String method, String key, Deadline deadline) throws MetadataException {
        var parameters = JsonNodeFactory.instance.objectNode();
        if (key != null) {
            parameters.put("key", key);
        }
        String where = "systemd-imdsd at " + socket;
        try (LocalSocket connection = LocalSocket.connect(socket)) {
            refuseUnlessRoot(connection, where);
            return Varlink.call(connection, INTERFACE + "." + method, parameters, MAX_REPLY, deadline);
        } catch (IOException e) {
            throw new MetadataException(where, describe(e), e);
        }
    }

    /**
     * systemd makes systemd-imdsd's socket in /run/systemd, where only root can, and listens on
     * it as root (socket activation): a socket another user made or listens on could answer
     * anything, so nothing is asked of it.
     */
    private static void refuseUnlessRoot(LocalSocket connection, String where) throws MetadataException {
        if (connection.fileOwner() != 0) {
            throw new MetadataException(where, "the socket file is owned by uid " + connection.fileOwner()
                    + ", not root; refusing to read metadata from it (systemd-imdsd's socket is root's)");
        }
        if (connection.peer().uid() != 0) {
            throw new MetadataException(where, "the process listening on it (pid " + connection.peer().pid() + ") runs as uid "
                    + connection.peer().uid() + ", not root; refusing to read metadata from it (systemd listens on systemd-imdsd's socket as root)");
        }
    }

    static boolean isError(Varlink.Reply reply, String name) {
        return reply.error().equals(INTERFACE + "." + name);
    }

    /** An error reply as an outage, named when it is a plain Varlink error name (never other reply text). */
    static MetadataException failed(Path socket, Varlink.Reply reply, String endpoint) {
        String name = reply.error().matches("[A-Za-z0-9.]{1,128}") ? reply.error() : "an error";
        String hint = isError(reply, "NotAvailable") || isError(reply, "NotSupported")
                ? " (systemd-imdsd finds no metadata service on this machine)" : "";
        return new MetadataException(endpoint, "systemd-imdsd at " + socket + " answered " + name + hint);
    }

    private static String describe(IOException e) {
        String message = String.valueOf(e.getMessage());
        return e instanceof java.net.SocketException || e instanceof java.nio.file.NoSuchFileException
                ? "does not answer (" + (message.contains("refused") ? "connection refused" : "no socket") + ")"
                : message;
    }
}
