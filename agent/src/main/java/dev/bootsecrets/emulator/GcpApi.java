package dev.bootsecrets.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;

/**
 * The Compute Engine metadata server under /computeMetadata/v1/: the instance and project
 * tree (as JSON with ?recursive=true, as listings and values without), and the service
 * account's identity and access tokens. Every answer carries {@code Metadata-Flavor: Google}.
 * Secret Manager's access call sits under /v1/projects/, where config points its endpoint.
 */
final class GcpApi implements MetadataApi {
    static final String ROOT = "/computeMetadata/v1";
    static final String SECRETS_ROOT = "/v1/projects/";
    private static final Pattern SECRET_VERSION = Pattern.compile(
            "/v1/projects/([a-z0-9-]+)/secrets/([A-Za-z0-9_-]+)/versions/(latest|[1-9][0-9]{0,8}):access");
    static final String FLAVOR = "metadata-flavor";
    static final String IDENTITY = "instance/service-accounts/default/identity";
    static final String TOKEN = "instance/service-accounts/default/token";
    static final int TOKEN_SECONDS = 3599;
    static final long PROJECT_NUMBER = 123456789012L;

    private final JsonNodeFactory json = JsonNodeFactory.instance;
    private final ObjectNode tree = json.objectNode();
    private final Scenario scenario;
    /** Access tokens handed out, with when each stops working (System.nanoTime). */
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    GcpApi(Scenario scenario) {
        this.scenario = scenario;
        Map<String, String> instanceAttributes = new LinkedHashMap<>();
        Map<String, String> projectAttributes = new LinkedHashMap<>(scenario.gcp().projectAttributes());
        keys(scenario, false).ifPresent(lines -> instanceAttributes.put("ssh-keys", lines));
        keys(scenario, true).ifPresent(lines -> projectAttributes.putIfAbsent("ssh-keys", lines));
        // GCP attribute values are text: binary user-data cannot be set there.
        scenario.userData().ifPresent(bytes -> instanceAttributes.put("user-data", new String(bytes, StandardCharsets.UTF_8)));
        instanceAttributes.putAll(scenario.attributes());

        String name = scenario.hostname().split("\\.")[0];
        ObjectNode instance = tree.putObject("instance");
        instance.set("attributes", attributes(instanceAttributes));
        instance.put("hostname", scenario.hostname());
        if (scenario.instanceId().matches("[0-9]{1,20}")) {
            instance.put("id", new BigInteger(scenario.instanceId()));
        } else {
            instance.put("id", scenario.instanceId());
        }
        instance.put("machineType", "projects/" + PROJECT_NUMBER + "/machineTypes/e2-small");
        instance.put("name", name);
        ObjectNode account = instance.putObject("serviceAccounts").putObject("default");
        account.putArray("aliases").add("default");
        account.put("email", PROJECT_NUMBER + "-compute@developer.gserviceaccount.com");
        account.putArray("scopes").add("https://www.googleapis.com/auth/cloud-platform");
        instance.put("zone", "projects/" + PROJECT_NUMBER + "/zones/" + scenario.zone());
        ObjectNode project = tree.putObject("project");
        project.set("attributes", attributes(projectAttributes));
        project.put("numericProjectId", PROJECT_NUMBER);
        project.put("projectId", scenario.gcp().projectId());
    }

    @Override
    public Reply answer(Call call) {
        if (call.path().startsWith(SECRETS_ROOT)) {
            return secretVersion(call);
        }
        return flavored(serve(call));
    }

    /**
     * Secret Manager's {@code GET /v1/projects/P/secrets/S/versions/V:access}, P the project's id
     * or number, V a number or latest; a bearer token the token endpoint handed out is required.
     */
    private Reply secretVersion(Call call) {
        String auth = call.headers().getOrDefault("authorization", "");
        Long expires = auth.startsWith("Bearer ") ? tokens.get(auth.substring("Bearer ".length())) : null;
        if (expires == null || System.nanoTime() - expires >= 0) {
            return googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2"
                    + " access token, login cookie or other valid authentication credential.")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
        }
        if (!call.method().equals("GET")) {
            return googleError(405, "METHOD_NOT_ALLOWED", "Method not allowed.");
        }
        Matcher m = SECRET_VERSION.matcher(call.path());
        boolean ourProject = m.matches()
                && (m.group(1).equals(scenario.gcp().projectId()) || m.group(1).equals(String.valueOf(PROJECT_NUMBER)));
        if (!ourProject) {
            return googleError(404, "NOT_FOUND", "Secret not found or has no versions.");
        }
        String secret = m.group(2);
        if (scenario.secrets().denied().contains(secret)) {
            return googleError(403, "PERMISSION_DENIED", "Permission 'secretmanager.versions.access' denied for resource"
                    + " 'projects/" + scenario.gcp().projectId() + "/secrets/" + secret + "/versions/" + m.group(3)
                    + "' (or it may not exist).");
        }
        List<String> versions = scenario.secrets().gcpSecretManager().get(secret);
        int number = versions == null ? 0 : m.group(3).equals("latest") ? versions.size() : Integer.parseInt(m.group(3));
        if (versions == null || number < 1 || number > versions.size()) {
            return googleError(404, "NOT_FOUND", "Secret [projects/" + PROJECT_NUMBER + "/secrets/" + secret
                    + "] not found or has no versions.");
        }
        byte[] data = versions.get(number - 1).getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(data);
        ObjectNode answer = json.objectNode()
                .put("name", "projects/" + PROJECT_NUMBER + "/secrets/" + secret + "/versions/" + number);
        answer.putObject("payload")
                .put("data", Base64.getEncoder().encodeToString(data))
                .put("dataCrc32c", String.valueOf(crc.getValue()));
        return Reply.json(200, answer.toString());
    }

    /** Google's API error shape. */
    private Reply googleError(int status, String code, String message) {
        ObjectNode body = json.objectNode();
        body.putObject("error").put("code", status).put("message", message).put("status", code);
        return Reply.json(status, body.toString());
    }

    private Reply serve(Call call) {
        if (!call.path().equals(ROOT) && !call.path().startsWith(ROOT + "/")) {
            return Reply.status(404);
        }
        // The server refuses whatever came through a proxy, and requests without the header.
        if (call.headers().containsKey("x-forwarded-for") || !"Google".equals(call.headers().get(FLAVOR))) {
            return Reply.status(403);
        }
        if (!call.method().equals("GET")) {
            return Reply.status(405);
        }
        String path = call.path().substring(ROOT.length()).replaceAll("^/+|/+$", "");
        if (path.equals(IDENTITY)) {
            return identity(call.query());
        }
        if (path.equals(TOKEN)) {
            return token();
        }
        JsonNode node = tree;
        boolean attributes = false;
        for (String part : path.isEmpty() ? new String[0] : path.split("/")) {
            node = attributes ? node.get(part) : child(node, part);
            if (node == null) {
                return Reply.status(404);
            }
            attributes = part.equals("attributes");
        }
        if (node.isObject() && "true".equals(call.query().get("recursive"))) {
            return Reply.json(200, node.toString());
        }
        if (node.isObject()) {
            return Reply.text(listing(node, attributes));
        }
        if (node.isArray()) {
            StringBuilder lines = new StringBuilder();
            node.forEach(item -> lines.append(item.asText()).append('\n'));
            return Reply.text(lines.toString());
        }
        return Reply.text(node.asText());
    }

    /**
     * An OAuth access token of the default service account, opaque as Google's are
     * ({@code ya29.} and random text); the instance's scope is cloud-platform, which covers
     * whatever scopes are asked for.
     */
    private Reply token() {
        byte[] bytes = new byte[48];
        random.nextBytes(bytes);
        String token = "ya29." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        tokens.put(token, System.nanoTime() + TOKEN_SECONDS * 1_000_000_000L);
        return Reply.json(200, json.objectNode()
                .put("access_token", token)
                .put("expires_in", TOKEN_SECONDS)
                .put("token_type", "Bearer")
                .toString());
    }

    /** A JWT-shaped token naming the audience; its signature is random bytes, not a real one. */
    private Reply identity(Map<String, String> query) {
        String audience = query.getOrDefault("audience", "");
        if (audience.isEmpty()) {
            return Reply.status(400);
        }
        long now = System.currentTimeMillis() / 1000;
        ObjectNode payload = json.objectNode()
                .put("aud", audience)
                .put("azp", "1000000000000000000001")
                .put("exp", now + 3600)
                .put("iat", now)
                .put("iss", "https://accounts.google.com")
                .put("sub", "1000000000000000000001");
        if ("full".equals(query.get("format"))) {
            payload.putObject("google").putObject("compute_engine")
                    .put("instance_id", scenario.instanceId())
                    .put("instance_name", scenario.hostname().split("\\.")[0])
                    .put("project_id", scenario.gcp().projectId())
                    .put("project_number", PROJECT_NUMBER)
                    .put("zone", scenario.zone());
        }
        return Reply.text(Jwt.of(payload));
    }

    /** The scenario's instance (or project) keys as an ssh-keys value, one "user:key" a line. */
    private static Optional<String> keys(Scenario scenario, boolean project) {
        String lines = scenario.sshKeys().stream()
                .filter(key -> key.project() == project)
                .map(GcpApi::line)
                .collect(Collectors.joining("\n"));
        return lines.isEmpty() ? Optional.empty() : Optional.of(lines);
    }

    /** {@code user:TYPE BLOB COMMENT}, or with {@code google-ssh {...}} in place of the comment when it expires. */
    private static String line(Scenario.SshKey key) {
        String user = key.user().isEmpty() ? key.name() : key.user();
        if (key.expireOn().isEmpty()) {
            return user + ":" + key.publicKey();
        }
        String[] fields = key.publicKey().split("\\s+");
        ObjectNode comment = JsonNodeFactory.instance.objectNode()
                .put("userName", user + "@example.com")
                .put("expireOn", key.expireOn());
        return user + ":" + fields[0] + " " + fields[1] + " google-ssh " + comment;
    }

    private ObjectNode attributes(Map<String, String> values) {
        ObjectNode node = json.objectNode();
        values.forEach(node::put);
        return node;
    }

    private static Reply flavored(Reply reply) {
        return reply.withHeader("Metadata-Flavor", "Google");
    }

    /** Paths name fields in dashed form (service-accounts); the JSON in camel case (serviceAccounts). */
    private static JsonNode child(JsonNode node, String part) {
        JsonNode exact = node.get(part);
        if (exact != null) {
            return exact;
        }
        StringBuilder camel = new StringBuilder();
        boolean upper = false;
        for (char c : part.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                camel.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return node.get(camel.toString());
    }

    private static String listing(JsonNode node, boolean attributes) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String name = attributes ? field.getKey() : field.getKey().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
            out.append(name).append(field.getValue().isContainerNode() ? "/" : "").append('\n');
        }
        return out.toString();
    }
}
