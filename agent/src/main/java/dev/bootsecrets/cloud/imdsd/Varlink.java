package dev.bootsecrets.cloud.imdsd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.fs.LocalSocket;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.json.JsonTree;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;

/**
 * One Varlink call on a connected Unix stream socket: a JSON object ended by a NUL byte each
 * way. The reply is {@code {"parameters": ...}}, or {@code {"error": NAME, "parameters": ...}}.
 * Reads and writes end at the deadline.
 */
final class Varlink {

    /** A reply; {@code error} is the error's name, or empty. */
    record Reply(String error, JsonNode parameters) {
        boolean ok() {
            return error.isEmpty();
        }
    }

    private Varlink() {}

    /**
     * Calls {@code method} with {@code parameters} on {@code connection}, a connection of its own.
     *
     * @param maxReply the most bytes the reply may have
     * @throws IOException when the socket closes early, the reply is too long or not a JSON
     *                     object, or the deadline passes
     */
    static Reply call(LocalSocket connection, String method, ObjectNode parameters, int maxReply, Deadline deadline)
            throws IOException {
        ObjectNode message = JsonNodeFactory.instance.objectNode().put("method", method);
        message.set("parameters", parameters);
        byte[] json = JsonTree.write(message);
        byte[] request = Arrays.copyOf(json, json.length + 1); // the NUL that ends a message
        for (int sent = 0; sent < request.length; ) {
            if (await(connection, true, deadline)) {
                sent += connection.send(request, sent);
            }
        }
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        while (true) {
            if (!await(connection, false, deadline)) {
                continue;
            }
            int read = connection.receive(chunk);
            if (read < 0) {
                throw new IOException("the connection closed before the reply ended");
            }
            int end = indexOfNul(chunk, read);
            in.write(chunk, 0, end < 0 ? read : end);
            if (in.size() > maxReply) {
                throw new IOException("the reply is longer than " + maxReply + " bytes");
            }
            if (end >= 0) {
                return parse(in.toByteArray());
            }
        }
    }

    /** Waits for the socket until the deadline, which passing ends the call. */
    private static boolean await(LocalSocket connection, boolean send, Deadline deadline) throws IOException {
        long wait = deadline.remaining().toMillis();
        if (wait <= 0) {
            throw new InterruptedIOException("no answer in time");
        }
        return connection.await(send, wait);
    }

    private static Reply parse(byte[] reply) throws IOException {
        JsonNode node;
        try {
            node = JsonTree.read(reply);
        } catch (IOException e) {
            throw new IOException("the reply is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IOException("the reply is not a JSON object");
        }
        return new Reply(node.path("error").asText(""), node.path("parameters"));
    }

    private static int indexOfNul(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
