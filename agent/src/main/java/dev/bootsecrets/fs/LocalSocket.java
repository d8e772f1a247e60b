package dev.bootsecrets.fs;

import com.sun.jna.Memory;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A Unix stream socket connected through libc, so that who is at the other end can be known.
 * The socket file is opened first (O_PATH), its type and owner are read from that descriptor,
 * and the connection goes through {@code /proc/self/fd/N}: the file looked at is the file
 * connected to, whatever is renamed or relinked meanwhile. The peer is what the
 * kernel recorded of the process that listened (SO_PEERCRED). Sends and receives never wait;
 * {@link #await} does, for as long as it is told.
 */
public final class LocalSocket implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;

    /** The process that listened on the socket, as SO_PEERCRED gives it. */
    public record Peer(int pid, int uid, int gid) {}

    private final int fd;
    private final String shown;
    private final int fileOwner;
    private final Peer peer;
    private final Memory buffer = new Memory(CHUNK);

    private LocalSocket(int fd, String shown, int fileOwner, Peer peer) {
        this.fd = fd;
        this.shown = shown;
        this.fileOwner = fileOwner;
        this.peer = peer;
    }

    /**
     * Connects to the socket file at {@code path}.
     *
     * @throws NoSuchFileException when there is no file there
     * @throws ConnectException    when nothing listens on it
     * @throws IOException         when it is not a socket, or another call fails, naming the path
     */
    public static LocalSocket connect(Path path) throws IOException {
        String shown = path.toString();
        int file = Libc.openatIfPresent(Libc.AT_FDCWD, shown, Libc.O_PATH | Libc.O_CLOEXEC, 0, shown);
        if (file < 0) {
            throw new NoSuchFileException(shown);
        }
        try {
            FileStat stat = Libc.fstat(file, shown);
            if (!stat.isSocket()) {
                throw new IOException("connect to " + shown + ": not a socket");
            }
            int fd;
            try {
                fd = Libc.connectStream("/proc/self/fd/" + file, shown);
            } catch (ErrnoException e) {
                if (e.errno() == Libc.ECONNREFUSED) {
                    throw new ConnectException("connection refused at " + shown);
                }
                throw e;
            }
            try {
                int[] ucred = Libc.peerCredentials(fd, shown);
                return new LocalSocket(fd, shown, stat.uid(), new Peer(ucred[0], ucred[1], ucred[2]));
            } catch (ErrnoException e) {
                Libc.close(fd);
                throw e;
            }
        } finally {
            Libc.close(file);
        }
    }

    /** The uid that owns the socket file connected to. */
    public int fileOwner() {
        return fileOwner;
    }

    public Peer peer() {
        return peer;
    }

    /** Waits at most {@code millis} for room to send ({@code send}) or something to receive; whether it came. */
    public boolean await(boolean send, long millis) throws IOException {
        return Libc.poll(fd, send ? Libc.POLLOUT : Libc.POLLIN, (int) Math.min(millis, Integer.MAX_VALUE), shown);
    }

    /** Sends as much of {@code data[from..]} as the socket takes now: how many bytes, maybe 0. */
    public int send(byte[] data, int from) throws IOException {
        int length = Math.min(CHUNK, data.length - from);
        buffer.write(0, data, from, length);
        return Libc.send(fd, buffer, length, shown);
    }

    /** Receives into {@code into} what has come: how many bytes, 0 when nothing has yet, -1 at the end. */
    public int receive(byte[] into) throws IOException {
        int n = Libc.receive(fd, buffer, Math.min(CHUNK, into.length), shown);
        if (n > 0) {
            buffer.read(0, into, 0, n);
        }
        return n;
    }

    @Override
    public void close() {
        Libc.close(fd);
        buffer.clear(); // what came may have been user-data
        buffer.close();
    }
}
