package dev.bootsecrets.cloud.imdsd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.http.Deadline;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * One Varlink call on a Unix stream socket: a JSON object ended by a NUL byte each way. The
 * reply is {@code {"parameters": ...}}, or {@code {"error": NAME, "parameters": ...}}. Reads
 * and writes end at the deadline.
 */
final class Varlink {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A reply; {@code error} is the error's name, or empty. */
    record Reply(String error, JsonNode parameters) {
        boolean ok() {
            return error.isEmpty();
        }
    }

    private Varlink() {}

    /**
     * Calls {@code method} with {@code parameters} on a connection of its own.
     *
     * @param maxReply the most bytes the reply may have
     * @throws IOException when the socket does not answer, closes early, the reply is too long or
     *                     not a JSON object, or the deadline passes
     */
    static Reply call(Path socket, String method, ObjectNode parameters, int maxReply, Deadline deadline)
            throws IOException {
        ObjectNode message = JSON.createObjectNode().put("method", method);
        message.set("parameters", parameters);
        byte[] request = JSON.writeValueAsBytes(message);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            ByteBuffer out = ByteBuffer.allocate(request.length + 1).put(request).put((byte) 0).flip();
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            SelectionKey key = channel.register(selector, SelectionKey.OP_WRITE);
            while (true) {
                long wait = deadline.remaining().toMillis();
                if (wait <= 0) {
                    throw new InterruptedIOException("no answer in time");
                }
                selector.select(wait);
                selector.selectedKeys().clear();
                if (out.hasRemaining()) {
                    channel.write(out);
                    if (!out.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                    continue;
                }
                int read = channel.read(buffer.clear());
                if (read < 0) {
                    throw new IOException("the connection closed before the reply ended");
                }
                byte[] chunk = new byte[read];
                buffer.flip().get(chunk);
                int end = indexOfNul(chunk);
                in.write(chunk, 0, end < 0 ? read : end);
                if (in.size() > maxReply) {
                    throw new IOException("the reply is longer than " + maxReply + " bytes");
                }
                if (end >= 0) {
                    return parse(in.toByteArray());
                }
            }
        }
    }

    private static Reply parse(byte[] reply) throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(reply);
        } catch (IOException e) {
            throw new IOException("the reply is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IOException("the reply is not a JSON object");
        }
        return new Reply(node.path("error").asText(""), node.path("parameters"));
    }

    private static int indexOfNul(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
