package dev.bootsecrets.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Azure's instance metadata service (IMDS) under /metadata/, with its header and api-version
 * rules, the managed identity's token endpoint among them, and the two wireserver calls of the
 * provisioning ready report under /machine, and ACR's token exchange at /oauth2/exchange
 * (which is the registry's own host on Azure).
 */
final class AzureApi implements MetadataApi {
    /** A few of the versions the real service accepts, the agent's among them. */
    static final Set<String> API_VERSIONS = Set.of(
            "2018-02-01", "2019-06-01", "2020-09-01", "2021-01-01", "2021-02-01", "2021-12-13", "2023-07-01", "2023-11-15",
            "2025-04-07");
    static final String WIRESERVER_VERSION = "2012-11-30";
    static final String CONTAINER_ID = "6f2b8f64-f35c-4f84-a1b0-7e71ff8e454e";
    static final String INCARNATION = "1";
    static final String TENANT = "9d3c1f4e-5b2a-4c8d-a7e6-0f1b2c3d4e5f";
    /** The system-assigned identity's service principal: its object id and its application (client) id. */
    static final String PRINCIPAL = "3e8a6b1c-2d4f-4a9b-8c7e-5f6a7b8c9d0e";
    static final String CLIENT_ID = "b7c2e9d4-1a3f-4e6b-9d8c-2f4a6b8c0d1e";
    static final long TOKEN_SECONDS = 86399;
    /** Key Vault's API under /keyvault/VAULT/, since the emulator has no VAULT.vault.azure.net host name. */
    static final String KEY_VAULT_ROOT = "/keyvault/";
    static final String KEY_VAULT_RESOURCE = "https://vault.azure.net";
    private static final Pattern SECRET = Pattern.compile("/keyvault/([a-z0-9-]{3,24})/secrets/([A-Za-z0-9-]{1,127})(?:/([a-f0-9]{32}))?/?");

    private final Scenario scenario;
    private final AcrApi acr;
    private final ObjectNode tree;
    private final String instance;
    private final String attested;
    private final String roleInstance;
    private final String resourceId;
    /** Access tokens handed out, by the resource each is for. */
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    AzureApi(Scenario scenario) {
        this.scenario = scenario;
        this.acr = new AcrApi(scenario);
        this.tree = instanceDocument(scenario);
        this.instance = tree.toString();
        byte[] document = JsonNodeFactory.instance.objectNode()
                .put("vmId", scenario.instanceId())
                .put("subscriptionId", scenario.azure().subscriptionId())
                .toString().getBytes(StandardCharsets.UTF_8);
        // the shape of the pkcs7 signature that holds the document, not a real one
        this.attested = JsonNodeFactory.instance.objectNode()
                .put("encoding", "pkcs7")
                .put("signature", Base64.getEncoder().encodeToString(document))
                .toString();
        this.roleInstance = scenario.instanceId().replace("-", "") + "." + name(scenario);
        this.resourceId = "/subscriptions/" + scenario.azure().subscriptionId() + "/resourcegroups/"
                + scenario.azure().resourceGroup() + "/providers/Microsoft.Compute/virtualMachines/" + name(scenario);
    }

    @Override
    public Reply answer(Call call) {
        boolean hostEndpoint = call.path().startsWith("/metadata/") || call.path().startsWith("/machine");
        if (hostEndpoint && scenario.azure().mspEnforce()) {
            return Reply.status(403); // the Guest Proxy Agent's refusal: no body, no x-ms-azure-host-authorization
        }
        if (call.path().equals("/machine") || call.path().equals("/machine/")) {
            return wireserver(call);
        }
        if (call.path().equals(AcrApi.PATH)) {
            return acr.answer(call);
        }
        if (call.path().startsWith(KEY_VAULT_ROOT)) {
            return keyVault(call);
        }
        if (!call.path().startsWith("/metadata/")) {
            return Reply.status(404);
        }
        if (call.headers().containsKey("x-forwarded-for")) {
            return error(400, "Bad request. Requests that came through a proxy are not accepted.");
        }
        if (!"true".equals(call.headers().get("metadata"))) {
            return error(400, "Bad request. Required metadata header not specified");
        }
        String version = call.query().get("api-version");
        if (version == null) {
            return error(400, "Bad request. api-version was not specified in the request.");
        }
        if (!API_VERSIONS.contains(version)) {
            return error(400, "Bad request. api-version is invalid or was not specified in the request.");
        }
        if (!call.method().equals("GET")) {
            return error(405, "Method not allowed.");
        }
        String path = call.path().replaceAll("/+$", "");
        if (path.startsWith("/metadata/instance/")) {
            return leaf(path.substring("/metadata/instance/".length()), "text".equals(call.query().get("format")));
        }
        return switch (path) {
            case "/metadata/instance" -> Reply.json(200, instance);
            case "/metadata/attested/document" -> Reply.json(200, attested);
            case "/metadata/identity/oauth2/token" -> token(call.query().getOrDefault("resource", ""));
            default -> error(404, "Not found.");
        };
    }

    /**
     * A part of the instance document by its path ({@code compute/publicKeys/0/keyData}); with
     * {@code format=text} only a leaf, as its text (what systemd-imdsd asks for).
     */
    private Reply leaf(String path, boolean text) {
        JsonNode node = tree;
        for (String part : path.split("/")) {
            node = node.isArray() && part.matches("[0-9]{1,4}") ? node.path(Integer.parseInt(part)) : node.path(part);
        }
        if (node.isMissingNode()) {
            return error(404, "Not found.");
        }
        if (!text) {
            return Reply.json(200, node.toString());
        }
        return node.isValueNode() ? Reply.text(node.asText()) : error(400, "Bad request. format=text is for leaf values only.");
    }

    /**
     * An access token of the VM's system-assigned identity for {@code resource}: JWT-shaped,
     * its {@code xms_mirid} the VM's resource id; its signature is random bytes, not a real one.
     */
    private Reply token(String resource) {
        if (resource.isEmpty()) {
            return tokenError("Required query variable 'resource' is missing");
        }
        if (!scenario.azure().managedIdentity()) {
            return tokenError("Identity not found");
        }
        long now = System.currentTimeMillis() / 1000;
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode claims = json.objectNode()
                .put("aud", resource)
                .put("iss", "https://sts.windows.net/" + TENANT + "/")
                .put("iat", now)
                .put("nbf", now)
                .put("exp", now + TOKEN_SECONDS)
                .put("appid", CLIENT_ID)
                .put("oid", PRINCIPAL)
                .put("sub", PRINCIPAL)
                .put("tid", TENANT)
                .put("xms_mirid", resourceId);
        String token = Jwt.of(claims);
        tokens.put(token, resource.replaceAll("/+$", ""));
        return Reply.json(200, json.objectNode()
                .put("access_token", token)
                .put("client_id", CLIENT_ID)
                .put("expires_in", String.valueOf(TOKEN_SECONDS))
                .put("expires_on", String.valueOf(now + TOKEN_SECONDS))
                .put("ext_expires_in", String.valueOf(TOKEN_SECONDS))
                .put("not_before", String.valueOf(now))
                .put("resource", resource)
                .put("token_type", "Bearer")
                .toString());
    }

    /**
     * Key Vault's get secret: {@code GET /keyvault/VAULT/secrets/NAME[/VERSION]?api-version=7.x}
     * with a bearer token the identity endpoint handed out for https://vault.azure.net.
     */
    private Reply keyVault(Call call) {
        String auth = call.headers().getOrDefault("authorization", "");
        String resource = auth.startsWith("Bearer ") ? tokens.get(auth.substring("Bearer ".length())) : null;
        if (resource == null) {
            return vaultError(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.")
                    .withHeader("WWW-Authenticate", "Bearer authorization=\"https://login.microsoftonline.com/" + TENANT
                            + "\", resource=\"" + KEY_VAULT_RESOURCE + "\"");
        }
        if (!resource.equals(KEY_VAULT_RESOURCE)) {
            return vaultError(401, "Unauthorized", "AKV10022: Invalid audience. Expected " + KEY_VAULT_RESOURCE + ".");
        }
        if (!call.query().getOrDefault("api-version", "").startsWith("7.")) {
            return vaultError(400, "BadParameter", "The specified version is not recognized by this service.");
        }
        if (!call.method().equals("GET")) {
            return vaultError(405, "BadParameter", "Method not allowed.");
        }
        Matcher m = SECRET.matcher(call.path());
        if (!m.matches()) {
            return vaultError(404, "NotFound", "The requested path was not found.");
        }
        String reference = m.group(1) + "/" + m.group(2);
        if (scenario.secrets().denied().contains(reference)) {
            return vaultError(403, "Forbidden", "Caller is not authorized to perform action on resource. Action:"
                    + " 'Microsoft.KeyVault/vaults/secrets/getSecret/action'");
        }
        List<String> versions = scenario.secrets().azureKeyVault().get(reference);
        int index = versions == null ? -1 : versions.size() - 1;
        if (versions != null && m.group(3) != null) {
            index = -1;
            for (int i = 0; i < versions.size(); i++) {
                if (version(reference, i).equals(m.group(3))) {
                    index = i;
                }
            }
        }
        if (index < 0) {
            return vaultError(404, "SecretNotFound", "A secret with (name/id) " + m.group(2) + " was not found in this key vault.");
        }
        ObjectNode answer = JsonNodeFactory.instance.objectNode()
                .put("value", versions.get(index))
                .put("id", "https://" + m.group(1) + ".vault.azure.net/secrets/" + m.group(2) + "/" + version(reference, index));
        answer.putObject("attributes").put("enabled", true).put("created", 1_700_000_000L + index)
                .put("updated", 1_700_000_000L + index).put("recoveryLevel", "Recoverable+Purgeable");
        return Reply.json(200, answer.toString());
    }

    /** A version id as Key Vault's: 32 hex digits. */
    static String version(String reference, int index) {
        return UUID.nameUUIDFromBytes((reference + "/" + index).getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
    }

    private static Reply vaultError(int status, String code, String message) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("error").put("code", code).put("message", message);
        return Reply.json(status, body.toString());
    }

    /** The token endpoint's errors are OAuth's shape, not the rest of IMDS's. */
    private static Reply tokenError(String description) {
        return Reply.json(400, JsonNodeFactory.instance.objectNode()
                .put("error", "invalid_request").put("error_description", description).toString());
    }

    /** GET ?comp=goalstate and POST ?comp=health, both with x-ms-version. */
    private Reply wireserver(Call call) {
        if (!WIRESERVER_VERSION.equals(call.headers().get("x-ms-version"))) {
            return Reply.status(400);
        }
        String comp = call.query().getOrDefault("comp", "");
        if (comp.equals("goalstate") && call.method().equals("GET")) {
            return new Reply(200, "text/xml; charset=utf-8", goalState().getBytes(StandardCharsets.UTF_8));
        }
        if (comp.equals("health") && call.method().equals("POST")) {
            return readyReport(new String(call.body(), StandardCharsets.UTF_8)) ? Reply.status(200) : Reply.status(400);
        }
        return Reply.status(call.method().equals("GET") || call.method().equals("POST") ? 400 : 405);
    }

    /** A Ready report for this goal state's container and role instance. */
    private boolean readyReport(String body) {
        String compact = body.replaceAll(">\\s+<", "><");
        return compact.contains("<GoalStateIncarnation>" + INCARNATION + "</GoalStateIncarnation>")
                && compact.contains("<ContainerId>" + CONTAINER_ID + "</ContainerId>")
                && compact.contains("<InstanceId>" + roleInstance + "</InstanceId>")
                && compact.contains("<Health><State>Ready</State>");
    }

    private String goalState() {
        return """
                <?xml version="1.0" encoding="utf-8"?>
                <GoalState xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="goalstate10.xsd">
                  <Version>2012-11-30</Version>
                  <Incarnation>%s</Incarnation>
                  <Machine>
                    <ExpectedState>Started</ExpectedState>
                    <StopRolesDeadlineHint>300000</StopRolesDeadlineHint>
                    <ExpectHealthReport>FALSE</ExpectHealthReport>
                  </Machine>
                  <Container>
                    <ContainerId>%s</ContainerId>
                    <RoleInstanceList>
                      <RoleInstance>
                        <InstanceId>%s</InstanceId>
                        <State>Started</State>
                      </RoleInstance>
                    </RoleInstanceList>
                  </Container>
                </GoalState>
                """.formatted(INCARNATION, CONTAINER_ID, roleInstance);
    }

    private static ObjectNode instanceDocument(Scenario scenario) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode compute = json.objectNode()
                .put("azEnvironment", "AzurePublicCloud")
                .put("location", scenario.region())
                .put("name", name(scenario))
                .put("osType", "Linux");
        compute.putObject("osProfile")
                .put("adminUsername", scenario.azure().adminUsername())
                .put("computerName", scenario.hostname())
                .put("disablePasswordAuthentication", "true");
        ArrayNode keys = compute.putArray("publicKeys");
        for (Scenario.SshKey key : scenario.sshKeys()) {
            String user = key.user().isEmpty() ? scenario.azure().adminUsername() : key.user();
            keys.addObject().put("keyData", key.publicKey() + "\r\n").put("path", "/home/" + user + "/.ssh/authorized_keys");
        }
        compute.put("tags", scenario.attributes().entrySet().stream()
                .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(";")));
        ArrayNode tags = compute.putArray("tagsList");
        scenario.attributes().forEach((name, value) -> tags.addObject().put("name", name).put("value", value));
        compute.put("userData", scenario.userData().map(Base64.getEncoder()::encodeToString).orElse(""))
                .put("vmId", scenario.instanceId())
                .put("vmSize", "Standard_B2s")
                .put("zone", scenario.zone());
        ObjectNode document = json.objectNode();
        document.set("compute", compute);
        document.putObject("network").putArray("interface");
        return document;
    }

    private static String name(Scenario scenario) {
        return scenario.hostname().split("\\.")[0];
    }

    private static Reply error(int status, String message) {
        return Reply.json(status, JsonNodeFactory.instance.objectNode().put("error", message).toString());
    }
}
