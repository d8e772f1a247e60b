package dev.bootsecrets.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.cloud.aws.AwsCredentials;
import dev.bootsecrets.cloud.aws.SigV4;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secrets Manager's GetSecretValue and SSM's GetParameter (JSON 1.1 POSTs to "/", told apart by
 * X-Amz-Target), checking the SigV4 signature, the access key and the session token the
 * emulated IMDS handed out, as AWS does: a wrong signature, an unknown key or token and an
 * expired token get AWS's error JSON and 403.
 */
final class AwsSecretsApi {
    static final String JSON_1_1 = "application/x-amz-json-1.1";
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/,]+)/([0-9]{8})/([^/,]+)/([^/,]+)/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Duration SKEW = Duration.ofMinutes(5);
    private static final Pattern ARN = Pattern.compile("arn:aws:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:(.+)-[A-Za-z0-9]{6}");

    private final Scenario scenario;
    private final AwsKeys role;

    /** @param role the role's credentials, or null when the instance has none: every call is then refused */
    AwsSecretsApi(Scenario scenario, AwsKeys role) {
        this.scenario = scenario;
        this.role = role;
    }

    MetadataApi.Reply answer(MetadataApi.Call call) {
        String target = call.headers().getOrDefault("x-amz-target", "");
        String service = target.startsWith("secretsmanager.") ? "secretsmanager" : target.startsWith("AmazonSSM.") ? "ssm" : "";
        if (service.isEmpty()) {
            return error(400, "UnknownOperationException", "Unknown operation");
        }
        MetadataApi.Reply refused = authenticate(call, service);
        if (refused != null) {
            return refused;
        }
        JsonNode body;
        try {
            body = new ObjectMapper().readTree(call.body());
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            return error(400, "SerializationException", "Start of structure or map found where not expected.");
        }
        return switch (target) {
            case "secretsmanager.GetSecretValue" -> secretValue(body);
            case "AmazonSSM.GetParameter" -> parameter(body);
            default -> error(400, "UnknownOperationException", "Unknown operation " + target.replaceAll("[^A-Za-z.]", ""));
        };
    }

    /** The signature's checks, in AWS's order; null when the request may go on. */
    private MetadataApi.Reply authenticate(MetadataApi.Call call, String service) {
        String authorization = call.headers().get("authorization");
        if (authorization == null) {
            return error(400, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        Matcher m = AUTHORIZATION.matcher(authorization);
        if (!m.matches()) {
            return error(403, "IncompleteSignatureException", "Authorization header requires Credential, SignedHeaders and Signature.");
        }
        if (role == null || !role.accessKeyId().equals(m.group(1))
                || !role.sessionToken().equals(call.headers().getOrDefault("x-amz-security-token", ""))) {
            return error(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }
        if (!Instant.now().isBefore(role.expiration())) {
            return error(403, "ExpiredTokenException", "The security token included in the request is expired");
        }
        if (!m.group(4).equals(service)) {
            return error(403, "InvalidSignatureException", "Credential should be scoped to correct service: '" + service + "'.");
        }
        Instant time;
        try {
            time = Instant.from(STAMP.parse(call.headers().getOrDefault("x-amz-date", "")));
        } catch (DateTimeParseException e) {
            return error(400, "IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }
        if (Duration.between(time, Instant.now()).abs().compareTo(SKEW) > 0 || !STAMP.format(time).startsWith(m.group(2))) {
            return error(403, "InvalidSignatureException", "Signature expired or not yet valid.");
        }
        List<String> signed = List.of(m.group(5).split(";"));
        if (!signed.contains("host") || !signed.contains("x-amz-date")) {
            return error(403, "InvalidSignatureException", "'Host' and 'X-Amz-Date' must be signed headers.");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : signed) {
            headers.put(name, call.headers().getOrDefault(name, ""));
        }
        AwsCredentials credentials = new AwsCredentials(role.accessKeyId(), Secret.ofUtf8(role.secretAccessKey()),
                Secret.ofUtf8(role.sessionToken()), role.expiration(), m.group(3));
        String expected = SigV4.authorization(call.method(), call.path(), "", headers, call.body(), m.group(3), service,
                credentials, time);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), authorization.replace(", ", ",")
                .replace(",", ", ").getBytes(StandardCharsets.UTF_8))) {
            return error(403, "InvalidSignatureException", "The request signature we calculated does not match the signature"
                    + " you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
        }
        return null;
    }

    private MetadataApi.Reply secretValue(JsonNode body) {
        String id = body.path("SecretId").asText("");
        Matcher arn = ARN.matcher(id);
        String name = arn.matches() ? arn.group(1) : id;
        if (scenario.secrets().denied().contains(name)) {
            return denied("secretsmanager:GetSecretValue", arn(name));
        }
        List<String> versions = scenario.secrets().awsSecretsManager().get(name);
        if (versions == null) {
            return error(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
        }
        int index = versions.size() - 1;
        String stage = body.path("VersionStage").asText("");
        String versionId = body.path("VersionId").asText("");
        if (!versionId.isEmpty()) {
            index = -1;
            for (int i = 0; i < versions.size(); i++) {
                if (versionId(name, i).equals(versionId)) {
                    index = i;
                }
            }
        } else if (stage.equals("AWSPREVIOUS")) {
            index = versions.size() - 2;
        } else if (!stage.isEmpty() && !stage.equals("AWSCURRENT")) {
            index = -1;
        }
        if (index < 0) {
            return error(400, "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret value for " + (versionId.isEmpty() ? "staging label" : "VersionId"));
        }
        ObjectNode answer = JsonNodeFactory.instance.objectNode()
                .put("ARN", arn(name)).put("Name", name).put("VersionId", versionId(name, index));
        String value = versions.get(index);
        if (value.startsWith("base64:")) {
            answer.put("SecretBinary", value.substring("base64:".length()));
        } else {
            answer.put("SecretString", value);
        }
        List<String> stages = new ArrayList<>();
        if (index == versions.size() - 1) {
            stages.add("AWSCURRENT");
        } else if (index == versions.size() - 2) {
            stages.add("AWSPREVIOUS");
        }
        stages.forEach(answer.putArray("VersionStages")::add);
        answer.put("CreatedDate", 1.7e9 + index);
        return json(200, answer.toString());
    }

    private MetadataApi.Reply parameter(JsonNode body) {
        String name = body.path("Name").asText("");
        if (scenario.secrets().denied().contains(name)) {
            return denied("ssm:GetParameter", "arn:aws:ssm:" + scenario.region() + ":" + AwsApi.ACCOUNT_ID + ":parameter" + name);
        }
        String value = scenario.secrets().awsSsm().get(name);
        if (value == null) {
            return error(400, "ParameterNotFound", "");
        }
        boolean decrypt = body.path("WithDecryption").asBoolean(false);
        ObjectNode parameter = JsonNodeFactory.instance.objectNode()
                .put("ARN", "arn:aws:ssm:" + scenario.region() + ":" + AwsApi.ACCOUNT_ID + ":parameter" + name)
                .put("DataType", "text").put("LastModifiedDate", 1.7e9).put("Name", name).put("Type", "SecureString")
                // without decryption a SecureString's value is its KMS ciphertext, never the plain value
                .put("Value", decrypt ? value : "AQICAHgEmulatorCiphertextNotTheValue==").put("Version", 1);
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.set("Parameter", parameter);
        return json(200, answer.toString());
    }

    private MetadataApi.Reply denied(String action, String resource) {
        return error(400, "AccessDeniedException", "User: arn:aws:sts::" + AwsApi.ACCOUNT_ID + ":assumed-role/"
                + scenario.aws().role() + "/" + scenario.instanceId() + " is not authorized to perform: " + action
                + " on resource: " + resource + " because no identity-based policy allows the " + action + " action");
    }

    private String arn(String name) {
        return "arn:aws:secretsmanager:" + scenario.region() + ":" + AwsApi.ACCOUNT_ID + ":secret:" + name + "-AbCdEf";
    }

    private static String versionId(String name, int index) {
        return UUID.nameUUIDFromBytes((name + "/" + index).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** AWS's JSON 1.1 error: {@code __type} and a message. */
    private static MetadataApi.Reply error(int status, String type, String message) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("__type", type);
        if (!message.isEmpty()) {
            body.put("message", message);
        }
        return json(status, body.toString());
    }

    private static MetadataApi.Reply json(int status, String body) {
        return new MetadataApi.Reply(status, JSON_1_1, body.getBytes(StandardCharsets.UTF_8));
    }
}
