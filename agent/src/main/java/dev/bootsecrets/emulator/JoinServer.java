package dev.bootsecrets.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A join service speaking the generic protocol of docs/join.md over TLS, for {@code demo} and
 * tests: a one-time bootstrap token, CSRs signed by its own {@link LocalCa}, and later joins
 * authenticated by the certificate it issued. It does not check the identity document; a real
 * service must, against the cloud's published certificates.
 */
public final class JoinServer implements AutoCloseable {
    public static final String PATH = "/v1/join";
    private static final int MAX_BODY = 256 * 1024;
    private static final Duration CERTIFICATE_TTL = Duration.ofDays(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the server received it: tests check what a client sent, and what it never did. */
    public record Seen(String method, String path, boolean clientCertificate, boolean bearer, byte[] body) {}

    private final HttpsServer server;
    private final ExecutorService executor;
    private final LocalCa ca;
    private final byte[] token;
    private final Map<String, String> secrets;
    private final AtomicBoolean tokenUsed = new AtomicBoolean();
    private final Set<String> joined = ConcurrentHashMap.newKeySet();
    private final List<Seen> seen = new ArrayList<>();
    private final AtomicInteger unavailable = new AtomicInteger();
    private volatile boolean denying;
    /** The Retry-After the 503s carry, if any. */
    private volatile Optional<String> retryAfter = Optional.empty();

    private JoinServer(HttpsServer server, ExecutorService executor, LocalCa ca, String token, Map<String, String> secrets) {
        this.server = server;
        this.executor = executor;
        this.ca = ca;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.secrets = Map.copyOf(secrets);
    }

    /**
     * @param token   the bootstrap token it accepts, once
     * @param secrets what every joining instance gets
     */
    public static JoinServer start(InetSocketAddress listen, String token, Map<String, String> secrets)
            throws IOException, GeneralSecurityException {
        LocalCa ca = LocalCa.create("bootsecrets demo join CA");
        HttpsServer server = HttpsServer.create(listen, 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext()) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
                ssl.setWantClientAuth(true); // a machine that joined before shows its certificate
                params.setSSLParameters(ssl);
            }
        });
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        JoinServer join = new JoinServer(server, executor, ca, token, secrets);
        server.createContext("/", join::handle);
        server.start();
        return join;
    }

    /** https://127.0.0.1:PORT/v1/join */
    public URI url() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    /** The CA certificate (PEM) a client trusts for this server, and that issues the machines' certificates. */
    public String caPem() throws GeneralSecurityException {
        return ca.pem();
    }

    public List<Seen> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** The next {@code n} requests are answered 503, as by a service that is starting. */
    public void unavailableFor(int n) {
        unavailableFor(n, Optional.empty());
    }

    /** As {@link #unavailableFor(int)}, each 503 asking to retry after {@code retryAfter} (seconds or an HTTP date). */
    public void unavailableFor(int n, Optional<String> retryAfter) {
        this.retryAfter = retryAfter;
        unavailable.set(n);
    }

    /** Every join is refused with 403 (an identity the service does not accept). */
    public void deny(boolean deny) {
        denying = deny;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY);
            boolean certified = clientCertificate(exchange);
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            synchronized (seen) {
                seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), certified,
                        authorization != null, body));
            }
            Answer answer = answer(exchange, body, certified, authorization);
            if (answer.status() == 503) {
                retryAfter.ifPresent(after -> exchange.getResponseHeaders().set("Retry-After", after));
            }
            reply(exchange, answer);
        }
    }

    private record Answer(int status, ObjectNode json) {}

    private Answer answer(HttpExchange exchange, byte[] body, boolean certified, String authorization) {
        if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().equals(PATH)) {
            return error(404, "not_found", "POST " + PATH + " is the only endpoint");
        }
        if (unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return error(503, "unavailable", "starting up, try again");
        }
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (IOException e) {
            return error(400, "bad_request", "the body is not JSON");
        }
        if (request == null || request.path("version").asInt() != 1 || !request.path("csr").isTextual()
                || request.path("instanceId").asText("").isEmpty()) {
            return error(400, "bad_request", "version 1, instanceId and csr are required");
        }
        String instance = request.path("instanceId").asText();
        if (denying) {
            return error(403, "denied", "this instance may not join");
        }
        if (!certified) {
            if (joined.contains(instance)) {
                return error(409, "already_joined", "this instance has joined; show its certificate");
            }
            if (!bearerMatches(authorization) || !tokenUsed.compareAndSet(false, true)) {
                return error(401, "unauthorized", "the bootstrap token is missing, wrong or used up");
            }
        }
        String commonName = request.path("hostname").asText("").isEmpty() ? instance : request.path("hostname").asText();
        ObjectNode out = JSON.createObjectNode();
        try {
            out.put("certificate", LocalCa.pem(ca.signCsr(request.path("csr").asText(), commonName, CERTIFICATE_TTL)));
            out.putArray("chain").add(ca.pem());
        } catch (GeneralSecurityException e) {
            return error(400, "bad_csr", "the csr is not a valid PEM PKCS#10 request");
        }
        ObjectNode values = out.putObject("secrets");
        secrets.forEach(values::put);
        out.put("refreshSeconds", 3600);
        joined.add(instance);
        return new Answer(200, out);
    }

    private boolean bearerMatches(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, authorization.substring(7).getBytes(StandardCharsets.UTF_8));
    }

    private static boolean clientCertificate(HttpExchange exchange) {
        try {
            return ((HttpsExchange) exchange).getSSLSession().getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    private static Answer error(int status, String code, String message) {
        ObjectNode json = JSON.createObjectNode();
        ObjectNode error = json.putObject("error");
        error.put("code", code);
        error.put("message", message);
        return new Answer(status, json);
    }

    private static void reply(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(answer.json());
        Log.info("join server: " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " " + answer.status());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
