package dev.bootsecrets.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.emulator.MetadataApi.Call;
import dev.bootsecrets.emulator.MetadataApi.Reply;
import dev.bootsecrets.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * systemd-imdsd's Varlink interface, {@code io.systemd.InstanceMetadata} (systemd 261), on a
 * Unix socket: {@code Get} reads a key (or a well-known key) below the cloud's data URL from the
 * emulated API, with the cloud's token and headers, as systemd-imdsd does over the network;
 * {@code GetVendorInfo} names the cloud as systemd's hwdb does. Messages are JSON objects
 * ended by a NUL byte.
 */
public final class ImdsdServer implements AutoCloseable {
    static final String INTERFACE = "io.systemd.InstanceMetadata";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 64 * 1024;

    /** One cloud as systemd-imdsd's hwdb describes it. */
    record Vendor(String vendor, String dataPath, String suffix, Map<String, String> headers,
            boolean token, String ipv4, String ipv6, Map<String, String> wellKnown) {}

    private final ServerSocketChannel server;
    private final Path socket;
    private final Vendor vendor;
    private final MetadataApi api;
    private final RequestLog log;

    private ImdsdServer(ServerSocketChannel server, Path socket, Vendor vendor, MetadataApi api, RequestLog log) {
        this.server = server;
        this.socket = socket;
        this.vendor = vendor;
        this.api = api;
        this.log = log;
    }

    /** Serves {@code vendor}'s {@code api} at {@code socket} until closed. */
    static ImdsdServer start(Vendor vendor, Path socket, MetadataApi api, RequestLog log) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        ImdsdServer imdsd = new ImdsdServer(server, socket, vendor, api, log);
        Thread.ofVirtual().name("imdsd-accept").start(imdsd::accept);
        return imdsd;
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel connection = server.accept();
                Thread.ofVirtual().name("imdsd-connection").start(() -> converse(connection));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Answers calls on one connection until the client hangs up. */
    private void converse(SocketChannel connection) {
        try (connection; InputStream in = Channels.newInputStream(connection);
                OutputStream out = Channels.newOutputStream(connection)) {
            while (true) {
                byte[] message = message(in);
                if (message == null) {
                    return;
                }
                out.write(JSON.writeValueAsBytes(answer(JSON.readTree(message))));
                out.write(0);
                out.flush();
            }
        } catch (IOException e) {
            Log.info("emulator: imdsd connection ended: " + e.getMessage());
        }
    }

    private static byte[] message(InputStream in) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        for (int b = in.read(); b != 0; b = in.read()) {
            if (b < 0) {
                return message.size() == 0 ? null : fail("the connection closed inside a message");
            }
            if (message.size() >= MAX_MESSAGE) {
                return fail("message too long");
            }
            message.write(b);
        }
        return message.toByteArray();
    }

    private static byte[] fail(String why) throws IOException {
        throw new IOException(why);
    }

    ObjectNode answer(JsonNode call) {
        String method = call.path("method").asText("");
        JsonNode parameters = call.path("parameters");
        return switch (method) {
            case INTERFACE + ".GetVendorInfo" -> reply(vendorInfo());
            case INTERFACE + ".Get" -> get(parameters);
            default -> error("org.varlink.service.MethodNotFound");
        };
    }

    private ObjectNode vendorInfo() {
        ObjectNode info = JSON.createObjectNode().put("vendor", vendor.vendor())
                .put("dataUrl", "http://" + vendor.ipv4() + vendor.dataPath());
        if (!vendor.suffix().isEmpty()) {
            info.put("dataUrlSuffix", "?" + vendor.suffix());
        }
        if (vendor.token()) {
            info.put("tokenUrl", "http://" + vendor.ipv4() + AwsApi.TOKEN_PATH).put("tokenHeaderName", AwsApi.TOKEN_HEADER)
                    .put("refreshHeaderName", AwsApi.TTL_HEADER);
        }
        ObjectNode wellKnown = info.putObject("wellKnown");
        vendor.wellKnown().forEach(wellKnown::put);
        return info;
    }

    /** The key's data from the API: the well-known key's path, then the key, below the data path. */
    private ObjectNode get(JsonNode parameters) {
        String key = parameters.path("key").asText("");
        String wellKnown = parameters.path("wellKnown").asText("");
        String prefix = "";
        if (!wellKnown.isEmpty() && !wellKnown.equals("base")) {
            prefix = vendor.wellKnown().get(wellKnown);
            if (prefix == null) {
                return error(INTERFACE + ".WellKnownKeyUnset");
            }
        }
        String full = prefix + key;
        if (!full.startsWith("/") || !StandardCharsets.US_ASCII.newEncoder().canEncode(full)) {
            return error("org.varlink.service.InvalidParameter");
        }
        int q = full.indexOf('?');
        String path = vendor.dataPath() + (q < 0 ? full : full.substring(0, q));
        String query = q < 0 ? vendor.suffix() : full.substring(q + 1) + (vendor.suffix().isEmpty() ? "" : "&" + vendor.suffix());
        Map<String, String> headers = new LinkedHashMap<>(vendor.headers());
        if (vendor.token()) {
            Reply token = api.answer(new Call("PUT", AwsApi.TOKEN_PATH, Map.of(), Map.of(AwsApi.TTL_HEADER, "300"), new byte[0]));
            headers.put(AwsApi.TOKEN_HEADER, new String(token.body(), StandardCharsets.UTF_8));
        }
        Reply reply = api.answer(new Call("GET", path, Emulator.query(query), headers, new byte[0]));
        log.add(new RequestLog.Entry("VARLINK", path, reply.status(), headers.keySet()));
        Log.info("emulator: imdsd Get " + path + " " + reply.status());
        return switch (reply.status()) {
            case 200 -> reply(JSON.createObjectNode().put("data", Base64.getEncoder().encodeToString(reply.body())));
            case 404 -> error(INTERFACE + ".KeyNotFound");
            default -> error(INTERFACE + ".CommunicationFailure");
        };
    }

    private static ObjectNode reply(ObjectNode parameters) {
        ObjectNode reply = JSON.createObjectNode();
        reply.set("parameters", parameters);
        return reply;
    }

    private static ObjectNode error(String name) {
        ObjectNode reply = JSON.createObjectNode().put("error", name);
        reply.putObject("parameters");
        return reply;
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            Log.warn("emulator: imdsd socket " + socket + " not removed: " + e.getMessage());
        }
    }
}
