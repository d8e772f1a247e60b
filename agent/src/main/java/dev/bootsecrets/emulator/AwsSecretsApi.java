package dev.bootsecrets.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

    /** The signature's checks ({@link AwsAuth}); null when the request may go on. The region is the one it names. */
    private MetadataApi.Reply authenticate(MetadataApi.Call call, String service) {
        return AwsAuth.refusal(call, role, null, service).orElse(null);
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
        return AwsAuth.error(status, type, message);
    }

    private static MetadataApi.Reply json(int status, String body) {
        return new MetadataApi.Reply(status, JSON_1_1, body.getBytes(StandardCharsets.UTF_8));
    }
}
