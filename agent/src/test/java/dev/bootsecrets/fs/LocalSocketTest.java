package dev.bootsecrets.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Unix stream connection through libc: who owns the socket file, who listens, and bytes both ways. */
class LocalSocketTest {
    @TempDir
    Path dir;

    @Test
    void namesTheListenerAndTheFilesOwnerAndCarriesBytesBothWays() throws Exception {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            try (LocalSocket socket = LocalSocket.connect(path); SocketChannel accepted = server.accept()) {
                assertEquals(ProcessHandle.current().pid(), socket.peer().pid());
                assertEquals(Files.getAttribute(path, "unix:uid"), socket.peer().uid());
                assertEquals(Files.getAttribute(path, "unix:uid"), socket.fileOwner());

                byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
                assertTrue(socket.await(true, 5000));
                assertEquals(hello.length, socket.send(hello, 0));
                ByteBuffer got = ByteBuffer.allocate(16);
                accepted.read(got);
                assertArrayEquals(hello, Arrays.copyOf(got.array(), got.position()));

                byte[] into = new byte[16];
                assertEquals(0, socket.receive(into), "nothing has come yet, and receive does not wait");
                accepted.write(ByteBuffer.wrap("back".getBytes(StandardCharsets.UTF_8)));
                assertTrue(socket.await(false, 5000));
                assertEquals(4, socket.receive(into));
                accepted.close();
                assertTrue(socket.await(false, 5000));
                assertEquals(-1, socket.receive(into), "the end of the stream");
            }
        }
    }

    @Test
    void tellsAMissingSocketFromOneNobodyListensOnAndFromAPlainFile() throws Exception {
        assertThrows(NoSuchFileException.class, () -> LocalSocket.connect(dir.resolve("absent.sock")));
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThrows(ConnectException.class, () -> LocalSocket.connect(stale));
        Path file = Files.writeString(dir.resolve("plain"), "");
        IOException e = assertThrows(IOException.class, () -> LocalSocket.connect(file));
        assertEquals("connect to " + file + ": not a socket", e.getMessage());
    }
}
