package dev.bootsecrets.emulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A cloud metadata service on a local port, answering from a {@link Scenario}, for
 * {@code bootsecrets emulate}, {@code demo} and tests. Every request is logged and may be
 * hit by a {@link Faults fault}.
 */
public final class Emulator implements AutoCloseable {
    /** Requests to a metadata service are a line and a few headers; anything bigger is not read. */
    private static final int MAX_REQUEST_BODY = 64 * 1024;

    private final EmulatedCloud cloud;
    private final HttpServer server;
    private final ExecutorService executor;
    private final MetadataApi api;
    private final Faults faults;
    private final RequestLog log = new RequestLog();

    private Emulator(EmulatedCloud cloud, HttpServer server, ExecutorService executor, MetadataApi api, Faults faults) {
        this.cloud = cloud;
        this.server = server;
        this.executor = executor;
        this.api = api;
        this.faults = faults;
    }

    /** Starts serving {@code provider}'s API on {@code listen} (port 0 picks a free port). */
    public static Emulator start(String provider, InetSocketAddress listen, Scenario scenario) throws IOException {
        Faults faults = new Faults(scenario.faults());
        EmulatedCloud cloud = EmulatedCloud.named(provider);
        MetadataApi api = cloud.api().apply(scenario, faults);
        HttpServer server = HttpServer.create(listen, 0);
        // One virtual thread per request, so a delayed response does not hold up the others.
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        Emulator emulator = new Emulator(cloud, server, executor, api, faults);
        server.createContext("/", emulator::handle);
        server.start();
        return emulator;
    }

    /** The base URL, e.g. http://127.0.0.1:41234 (a wildcard address is shown as loopback). */
    public URI url() {
        InetSocketAddress address = server.getAddress();
        InetAddress host = address.getAddress().isAnyLocalAddress()
                ? InetAddress.getLoopbackAddress() : address.getAddress();
        String literal = host instanceof Inet6Address ? "[" + host.getHostAddress() + "]" : host.getHostAddress();
        return URI.create("http://" + literal + ":" + address.getPort());
    }

    /**
     * Serves the same scenario as systemd-imdsd does at {@code socket} ({@code io.systemd.InstanceMetadata}),
     * until the returned server is closed.
     */
    public ImdsdServer imdsd(Path socket) throws IOException {
        return ImdsdServer.start(cloud.imdsd(), socket, api, log);
    }

    /** The {@code from:} of the secret the built-in sample of {@code provider} keeps in its secrets manager. */
    public static String sampleSecret(String provider) {
        return EmulatedCloud.named(provider).sampleSecret();
    }

    public RequestLog log() {
        return log;
    }

    public Faults faults() {
        return faults;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) ->
                    headers.put(name.toLowerCase(Locale.ROOT), values.isEmpty() ? "" : values.getFirst()));
            byte[] body = exchange.getRequestBody().readNBytes(MAX_REQUEST_BODY);

            Faults.Decision decision = faults.next();
            if (!decision.delay().isZero()) {
                try {
                    Thread.sleep(decision.delay());
                } catch (InterruptedException e) {
                    return; // the emulator is closing
                }
            }
            var reply = switch (decision.outcome()) {
                case DROP -> null;
                case FAIL -> decision.retryAfter().map(after -> MetadataApi.Reply.status(decision.status())
                        .withHeader("Retry-After", after)).orElseGet(() -> MetadataApi.Reply.status(decision.status()));
                case SERVE -> api.answer(new MetadataApi.Call(method, path, query(exchange.getRequestURI().getRawQuery()), headers, body));
            };
            int status = reply == null ? RequestLog.DROPPED : reply.status();
            // Logged before answering, so whoever got the answer finds the request in the log.
            log.add(new RequestLog.Entry(method, path, status, headers.keySet()));
            Log.info("emulator: " + method + " " + path + " " + (reply == null ? "dropped" : status));
            if (reply == null) {
                return; // closing an exchange that sent nothing closes the connection
            }
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            reply.headers().forEach(exchange.getResponseHeaders()::set);
            Optional<Faults.Wire> wire = faults.wire(path);
            if (wire.isPresent()) {
                misbehave(exchange, reply, wire.get());
                return;
            }
            exchange.sendResponseHeaders(status, reply.body().length == 0 ? -1 : reply.body().length);
            if (reply.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(reply.body());
                }
            }
        }
    }

    /** Sends {@code reply} the wrong way; an agent hanging up ends it. */
    private static void misbehave(HttpExchange exchange, MetadataApi.Reply reply, Faults.Wire wire) throws IOException {
        byte[] body = reply.body();
        try {
            switch (wire) {
                case Faults.Wire.HeaderTrickle t -> {
                    for (int i = 0; i < 600; i++) {
                        exchange.sendResponseHeaders(102, -1);
                        Thread.sleep(t.pause());
                    }
                }
                case Faults.Wire.BodyTrickle t -> {
                    exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
                    OutputStream out = exchange.getResponseBody();
                    for (byte b : body) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(t.pause());
                    }
                    out.close();
                }
                case Faults.Wire.Huge h -> {
                    exchange.sendResponseHeaders(200, h.announced() ? h.bytes() : 0);
                    OutputStream out = exchange.getResponseBody();
                    byte[] block = new byte[64 * 1024];
                    Arrays.fill(block, (byte) 'a');
                    for (long sent = 0; sent < h.bytes(); sent += block.length) {
                        out.write(block, 0, (int) Math.min(block.length, h.bytes() - sent));
                    }
                    out.close();
                }
                case Faults.Wire.Truncated t -> {
                    exchange.sendResponseHeaders(reply.status(), Math.max(2, body.length));
                    OutputStream out = exchange.getResponseBody();
                    out.write(body, 0, body.length / 2);
                    out.flush();
                    // Closing the exchange now, short of the length it announced, drops the connection.
                }
                case Faults.Wire.Redirect r -> {
                    exchange.getResponseHeaders().set("Location", r.location().toString());
                    exchange.sendResponseHeaders(302, -1);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the emulator is closing
        }
    }

    /** Decoded query parameters (the first of each name) of a raw query, which may be null. */
    static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.putIfAbsent(name, value);
            }
        }
        return query;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
