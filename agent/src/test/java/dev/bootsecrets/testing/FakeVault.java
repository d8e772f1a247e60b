package dev.bootsecrets.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.bootsecrets.emulator.LocalCa;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * HashiCorp Vault's HTTP API as far as the join uses it, on 127.0.0.1 over TLS, answering with
 * the status codes and JSON shapes of the public API documentation: AppRole login (one-use
 * secret ids), response wrapping (lookup, unwrap), the aws, gcp, azure and cert logins, KV
 * version 1 and 2 reads, pki/sign, token revoke-self, errors as {@code {"errors": [...]}},
 * and 503 "Vault is sealed" while sealed.
 */
public final class FakeVault implements AutoCloseable {
    public static final String ROLE = "web";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as received, for tests that check what was, and was never, sent. */
    public record Call(String method, String path, Map<String, String> headers, String body, boolean clientCertificate) {}

    private record Wrapped(String creationPath, String secretId) {}

    private final HttpsServer server;
    private final ExecutorService executor;
    private final LocalCa ca;
    private final String roleId = "role-" + UUID.randomUUID();
    private final Set<String> secretIds = ConcurrentHashMap.newKeySet();
    private final Map<String, Wrapped> wrapping = new ConcurrentHashMap<>();
    private final Map<String, Boolean> tokens = new ConcurrentHashMap<>(); // token -> revoked
    private final Map<String, Map<String, String>> kv2 = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> kv1 = new ConcurrentHashMap<>();
    private final Map<String, String> cloudJwts = new ConcurrentHashMap<>(); // method -> expected jwt
    private final List<Call> calls = new ArrayList<>();
    private final List<String> handedOut = new ArrayList<>();
    private volatile String azureResource;
    private volatile String awsInstanceId = "";
    private volatile String awsNonce;
    private volatile boolean sealed;
    /** The Retry-After a sealed Vault's 503s carry, if any. */
    private volatile Optional<String> sealedRetryAfter = Optional.empty();
    private volatile boolean denying;

    private FakeVault(HttpsServer server, ExecutorService executor, LocalCa ca) {
        this.server = server;
        this.executor = executor;
        this.ca = ca;
    }

    /** Serves over TLS with a certificate from {@code ca}, which also signs pki CSRs and client certificates. */
    public static FakeVault start(LocalCa ca) throws IOException, GeneralSecurityException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext()) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
                ssl.setWantClientAuth(true); // as a Vault listener does, for the cert auth method
                params.setSSLParameters(ssl);
            }
        });
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        FakeVault vault = new FakeVault(server, executor, ca);
        server.createContext("/", vault::handle);
        server.start();
        return vault;
    }

    public URI url() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    public String roleId() {
        return roleId;
    }

    /** A new secret id for the role, good for one login (secret_id_num_uses 1). */
    public String issueSecretId() {
        String id = "sid-" + UUID.randomUUID();
        secretIds.add(id);
        remember(id);
        return id;
    }

    /** A response-wrapping token holding a new secret id, as if made by {@code creationPath}. */
    public String wrapSecretId(String creationPath) {
        String token = "hvs.wrap-" + UUID.randomUUID();
        wrapping.put(token, new Wrapped(creationPath, issueSecretId()));
        remember(token);
        return token;
    }

    /** Someone else unwraps {@code token} first (an interception). */
    public void unwrapElsewhere(String token) {
        wrapping.remove(token);
    }

    public void putKv2(String path, Map<String, String> data) {
        kv2.put(path, Map.copyOf(data));
    }

    public void putKv1(String path, Map<String, String> data) {
        kv1.put(path, Map.copyOf(data));
    }

    /** The aws login accepts a PKCS#7 of a document for this instance, and binds the first nonce. */
    public void acceptAws(String instanceId) {
        awsInstanceId = instanceId;
    }

    /** The gcp or azure login accepts exactly this JWT (Vault would verify it with Google or Azure). */
    public void acceptJwt(String method, String jwt) {
        cloudJwts.put(method, jwt);
    }

    /**
     * The azure login accepts a managed identity token for {@code resource} whose xms_mirid is
     * the VM the login names (Vault would also verify its signature with Azure).
     */
    public void acceptAzure(String resource) {
        azureResource = resource;
    }

    public void seal(boolean seal) {
        sealed = seal;
    }

    /** Sealed, each 503 asking to retry after {@code retryAfter} (seconds or an HTTP date). */
    public void seal(String retryAfter) {
        sealedRetryAfter = Optional.of(retryAfter);
        sealed = true;
    }

    /** Logins answer 403 permission denied (a role bound to other CIDRs, say). */
    public void deny(boolean deny) {
        denying = deny;
    }

    public List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    public List<Call> calls(String path) {
        return calls().stream().filter(c -> c.path().equals(path)).toList();
    }

    /** Tokens issued by a login. */
    public Set<String> tokens() {
        return Set.copyOf(tokens.keySet());
    }

    public boolean revoked(String token) {
        return tokens.getOrDefault(token, false);
    }

    /** Every secret value this Vault made: secret ids, wrapping and client tokens, the role id. */
    public List<String> handedOut() {
        synchronized (handedOut) {
            List<String> all = new ArrayList<>(handedOut);
            all.add(roleId);
            return all;
        }
    }

    public String awsNonce() {
        return awsNonce;
    }

    private void remember(String value) {
        synchronized (handedOut) {
            handedOut.add(value);
        }
    }

    private record Reply(int status, JsonNode json) {}

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readNBytes(1 << 20), StandardCharsets.UTF_8);
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.getFirst()));
            boolean certified = clientCertificate(exchange);
            String path = exchange.getRequestURI().getPath();
            synchronized (calls) {
                calls.add(new Call(exchange.getRequestMethod(), path, headers, body, certified));
            }
            Reply reply = sealed ? errors(503, "Vault is sealed")
                    : answer(exchange.getRequestMethod(), path, headers.get("x-vault-token"), body, certified);
            byte[] bytes = reply.json() == null ? new byte[0] : JSON.writeValueAsBytes(reply.json());
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            if (sealed) {
                sealedRetryAfter.ifPresent(after -> exchange.getResponseHeaders().set("Retry-After", after));
            }
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private Reply answer(String method, String path, String token, String body, boolean certified) {
        JsonNode in;
        try {
            in = body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return errors(400, "failed to parse JSON input");
        }
        if (method.equals("POST")) {
            switch (path) {
                case "/v1/auth/approle/login" -> {
                    if (denying) {
                        return errors(403, "permission denied");
                    }
                    if (!roleId.equals(in.path("role_id").asText()) || !secretIds.remove(in.path("secret_id").asText())) {
                        return errors(400, "invalid role or secret ID");
                    }
                    return login("approle");
                }
                case "/v1/sys/wrapping/lookup" -> {
                    Wrapped w = wrapping.get(in.path("token").asText());
                    if (w == null) {
                        return errors(400, "wrapping token is not valid or does not exist");
                    }
                    ObjectNode data = JSON.createObjectNode();
                    data.put("creation_path", w.creationPath());
                    data.put("creation_time", "2026-01-01T00:00:00Z");
                    data.put("creation_ttl", 300);
                    return ok(data);
                }
                case "/v1/sys/wrapping/unwrap" -> {
                    Wrapped w = token == null ? null : wrapping.remove(token);
                    if (w == null) {
                        return errors(400, "wrapping token is not valid or does not exist");
                    }
                    ObjectNode data = JSON.createObjectNode();
                    data.put("secret_id", w.secretId());
                    data.put("secret_id_accessor", UUID.randomUUID().toString());
                    data.put("secret_id_ttl", 600);
                    data.put("secret_id_num_uses", 1);
                    return ok(data);
                }
                case "/v1/auth/aws/login" -> {
                    return aws(in);
                }
                case "/v1/auth/gcp/login", "/v1/auth/azure/login" -> {
                    String cloud = path.split("/")[3];
                    if (!in.path("role").asText().equals(ROLE) || !verified(cloud, in)) {
                        return errors(400, "could not verify the JWT");
                    }
                    if (cloud.equals("azure") && (in.path("subscription_id").asText().isEmpty()
                            || in.path("resource_group_name").asText().isEmpty() || in.path("vm_name").asText().isEmpty())) {
                        return errors(400, "subscription_id, resource_group_name and vm_name are required");
                    }
                    return login(cloud);
                }
                case "/v1/auth/cert/login" -> {
                    if (!certified) {
                        return errors(400, "client certificate must be supplied");
                    }
                    return in.path("name").asText().equals(ROLE) ? login("cert") : errors(400, "invalid certificate or no client certificate supplied");
                }
                case "/v1/auth/token/revoke-self" -> {
                    if (token == null || !tokens.containsKey(token)) {
                        return errors(403, "permission denied");
                    }
                    tokens.put(token, true);
                    return new Reply(204, null);
                }
                default -> { }
            }
            if (path.startsWith("/v1/pki/sign/")) {
                return valid(token) ? sign(in) : errors(403, "permission denied");
            }
        }
        if (method.equals("GET") && (path.startsWith("/v1/secret/data/") || path.startsWith("/v1/kv/"))) {
            if (!valid(token)) {
                return errors(403, "permission denied");
            }
            return path.startsWith("/v1/secret/data/") ? kv2(path.substring("/v1/secret/data/".length()))
                    : kv1(path.substring("/v1/kv/".length()));
        }
        return errors(404, "unsupported path");
    }

    private Reply aws(JsonNode in) {
        String pkcs7 = in.path("pkcs7").asText();
        String instance;
        try {
            instance = JSON.readTree(Base64.getDecoder().decode(pkcs7)).path("instanceId").asText();
        } catch (IllegalArgumentException | IOException e) {
            return errors(400, "failed to parse the PKCS#7 signature"); // a line break left in fails here
        }
        if (!in.path("role").asText().equals(ROLE) || !instance.equals(awsInstanceId)) {
            return errors(400, "client identity does not match");
        }
        String nonce = in.path("nonce").asText();
        synchronized (this) {
            if (awsNonce == null) {
                awsNonce = nonce;
            } else if (!awsNonce.equals(nonce)) {
                return errors(400, "client nonce mismatch");
            }
        }
        return login("aws");
    }

    private boolean verified(String cloud, JsonNode in) {
        String jwt = in.path("jwt").asText();
        if (jwt.equals(cloudJwts.get(cloud))) {
            return true;
        }
        if (!cloud.equals("azure") || azureResource == null) {
            return false;
        }
        String[] parts = jwt.split("\\.");
        JsonNode claims;
        try {
            claims = parts.length == 3 ? JSON.readTree(Base64.getUrlDecoder().decode(parts[1])) : JSON.createObjectNode();
        } catch (IllegalArgumentException | IOException e) {
            return false;
        }
        String vm = "/subscriptions/" + in.path("subscription_id").asText() + "/resourcegroups/"
                + in.path("resource_group_name").asText() + "/providers/Microsoft.Compute/virtualMachines/"
                + in.path("vm_name").asText();
        return claims.path("aud").asText().equals(azureResource) && claims.path("xms_mirid").asText().equalsIgnoreCase(vm);
    }

    private Reply kv2(String path) {
        Map<String, String> data = kv2.get(path);
        if (data == null) {
            return errors(404);
        }
        ObjectNode out = JSON.createObjectNode();
        data.forEach(out.putObject("data")::put);
        ObjectNode metadata = out.putObject("metadata");
        metadata.put("created_time", "2026-01-01T00:00:00Z");
        metadata.putNull("custom_metadata");
        metadata.put("deletion_time", "");
        metadata.put("destroyed", false);
        metadata.put("version", 1);
        return ok(out);
    }

    private Reply kv1(String path) {
        Map<String, String> data = kv1.get(path);
        if (data == null) {
            return errors(404);
        }
        ObjectNode out = JSON.createObjectNode();
        data.forEach(out::put);
        return ok(out);
    }

    private Reply sign(JsonNode in) {
        try {
            String certificate = LocalCa.pem(ca.signCsr(in.path("csr").asText(), in.path("common_name").asText(), Duration.ofDays(1)));
            ObjectNode data = JSON.createObjectNode();
            data.put("certificate", certificate);
            data.put("issuing_ca", ca.pem());
            data.putArray("ca_chain").add(ca.pem());
            data.put("serial_number", "39:dd:2e");
            data.put("expiration", 1893456000L);
            return ok(data);
        } catch (GeneralSecurityException e) {
            return errors(400, "error parsing csr");
        }
    }

    private boolean valid(String token) {
        return token != null && Boolean.FALSE.equals(tokens.get(token));
    }

    private Reply login(String method) {
        String token = "hvs." + method + "-" + UUID.randomUUID();
        tokens.put(token, false);
        remember(token);
        ObjectNode auth = JSON.createObjectNode();
        auth.put("client_token", token);
        auth.put("accessor", UUID.randomUUID().toString());
        auth.putArray("policies").add("default");
        auth.putArray("token_policies").add("default");
        auth.putNull("metadata");
        auth.put("lease_duration", 1200);
        auth.put("renewable", true);
        ObjectNode out = envelope();
        out.putNull("data");
        out.set("auth", auth);
        return new Reply(200, out);
    }

    private static Reply ok(JsonNode data) {
        ObjectNode out = envelope();
        out.set("data", data);
        out.putNull("auth");
        return new Reply(200, out);
    }

    private static ObjectNode envelope() {
        ObjectNode out = JSON.createObjectNode();
        out.put("request_id", UUID.randomUUID().toString());
        out.put("lease_id", "");
        out.put("renewable", false);
        out.put("lease_duration", 0);
        out.putNull("wrap_info");
        out.putNull("warnings");
        return out;
    }

    private static Reply errors(int status, String... errors) {
        ObjectNode out = JSON.createObjectNode();
        var list = out.putArray("errors");
        for (String e : errors) {
            list.add(e);
        }
        return new Reply(status, out);
    }

    private static boolean clientCertificate(HttpExchange exchange) {
        try {
            return ((HttpsExchange) exchange).getSSLSession().getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
