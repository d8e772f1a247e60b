package dev.bootsecrets.cloud.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.cloud.ApiCall;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.SecretSourceException;
import dev.bootsecrets.cloud.SecretStore;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * AWS Secrets Manager (GetSecretValue) and SSM Parameter Store (GetParameter with decryption):
 * JSON 1.1 POSTs signed with the instance role's credentials, in the instance's region unless
 * the source names one. The credentials are fetched once, at the first read.
 */
public final class AwsSecrets implements SecretStore {
    static final String JSON_1_1 = "application/x-amz-json-1.1";
    private static final int MAX_ANSWER = 1 << 20;
    private static final Duration THROTTLE_PAUSE = Duration.ofMillis(500);
    /** AWS's error types after the '#': AccessDeniedException, ResourceNotFoundException, ... */
    private static final Pattern ERROR_TYPE = Pattern.compile("[A-Za-z]{1,64}");

    private final Context context;
    private final boolean imdsv1;
    private AwsCredentials credentials;

    public AwsSecrets(Context context, boolean imdsv1) {
        this.context = context;
        this.imdsv1 = imdsv1;
    }

    @Override
    public Secret read(Source.FromCloud source) throws SecretSourceException {
        return switch (source) {
            case Source.AwsSecret secret -> secretValue(secret);
            case Source.AwsParameter parameter -> parameter(parameter);
            default -> throw new SecretSourceException(source.reference() + ": not an AWS source");
        };
    }

    private Secret secretValue(Source.AwsSecret source) throws SecretSourceException {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("SecretId", source.secretId());
        source.stage().ifPresent(stage -> body.put("VersionStage", stage));
        source.versionId().ifPresent(id -> body.put("VersionId", id));
        JsonNode answer = call(source.reference(), context.endpoints().awsSecretsManager(), "secretsmanager",
                "secretsmanager.GetSecretValue", source.region(), body);
        JsonNode string = answer.get("SecretString");
        JsonNode binary = answer.get("SecretBinary");
        if (string != null && string.isTextual()) {
            Secret text = Secret.ofUtf8(string.asText());
            return source.jsonKey().isPresent() ? jsonKey(source, text) : text;
        }
        if (binary != null && binary.isTextual()) {
            if (source.jsonKey().isPresent()) {
                throw new SecretSourceException(source.reference() + ": the secret is binary (SecretBinary), it has no JSON keys");
            }
            try {
                return Secret.decodeBase64(Secret.ofUtf8(binary.asText()));
            } catch (IllegalArgumentException e) {
                throw new SecretSourceException(source.reference() + ": SecretBinary is not valid base64");
            }
        }
        throw new SecretSourceException(source.reference() + ": the answer has neither SecretString nor SecretBinary");
    }

    private Secret parameter(Source.AwsParameter source) throws SecretSourceException {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("Name", source.name()).put("WithDecryption", true);
        JsonNode value = call(source.reference(), context.endpoints().awsSsm(), "ssm", "AmazonSSM.GetParameter", source.region(), body)
                .path("Parameter").path("Value");
        if (!value.isTextual()) {
            throw new SecretSourceException(source.reference() + ": the answer has no Parameter.Value");
        }
        return Secret.ofUtf8(value.asText());
    }

    /** One key of the SecretString's JSON object, as text (a number or true/false as written). */
    private static Secret jsonKey(Source.AwsSecret source, Secret text) throws SecretSourceException {
        byte[] bytes = text.bytes();
        try {
            JsonNode object = JsonTree.read(bytes);
            if (object == null || !object.isObject()) {
                throw new SecretSourceException(source.reference() + ": SecretString is not a JSON object, so it has no keys");
            }
            JsonNode value = object.get(source.jsonKey().orElseThrow());
            if (value == null) {
                throw new SecretSourceException(source.reference() + ": SecretString has no such key");
            }
            if (!value.isValueNode() || value.isNull()) {
                throw new SecretSourceException(source.reference() + ": the key's value is not a string, number or boolean");
            }
            return Secret.ofUtf8(value.asText());
        } catch (IOException e) {
            throw new SecretSourceException(source.reference() + ": SecretString is not a JSON object, so it has no keys");
        } finally {
            Secret.wipe(bytes);
        }
    }

    /** A signed call; throttling (400 ThrottlingException) is waited out until the deadline. */
    private JsonNode call(String reference, String template, String service, String target, Optional<String> region,
            ObjectNode body) throws SecretSourceException {
        AwsCredentials role = credentials(reference);
        String inRegion = region.orElse(role.region());
        URI uri = URI.create(template.replace(Settings.Endpoints.REGION, inRegion) + "/");
        byte[] payload = JsonTree.text(body).getBytes(StandardCharsets.UTF_8);
        while (true) {
            Request request = SigV4.post(uri, Map.of("Content-Type", JSON_1_1, "X-Amz-Target", target), payload,
                    MAX_ANSWER, inRegion, service, role, Instant.now());
            ApiCall.Answer answer = ApiCall.send(context.api(), request, context.deadline(), reference);
            JsonNode json = answer.json();
            if (answer.status() == 200 && json != null && json.isObject()) {
                return json;
            }
            String type = errorType(json);
            if (type.equals("ThrottlingException") && context.deadline().remaining().compareTo(THROTTLE_PAUSE) > 0) {
                Log.notice("aws: " + service + " is throttling; asking again (" + context.deadline().remaining().toSeconds() + "s left)");
                pause(reference);
                continue;
            }
            throw ApiCall.refused(reference, reason(answer.status(), type), uri, answer.status(), type, ERROR_TYPE);
        }
    }

    private synchronized AwsCredentials credentials(String reference) throws SecretSourceException {
        if (credentials == null) {
            try {
                credentials = AwsCredentials.fromImds(context.metadataUrl(), imdsv1, context.metadata(), context.deadline());
            } catch (MetadataException e) {
                throw new SecretSourceException(reference + ": no role credentials: " + e.getMessage(), e);
            }
        }
        return credentials;
    }

    private void pause(String reference) throws SecretSourceException {
        try {
            Thread.sleep(THROTTLE_PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SecretSourceException(reference + ": interrupted", e);
        }
    }

    /** What a user should hear: the error's meaning, in our words. */
    private static String reason(int status, String type) {
        return switch (type) {
            case "ResourceNotFoundException", "ParameterNotFound", "ParameterVersionNotFound" -> "not found";
            case "AccessDeniedException", "AccessDenied" -> "access denied to the instance's role";
            case "DecryptionFailure", "KMSAccessDeniedException" -> "its KMS key cannot be used to decrypt it";
            case "ThrottlingException" -> "throttled until the deadline";
            case "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature" -> "the request's signature was refused";
            case "ExpiredTokenException", "ExpiredToken" -> "the role's session token has expired";
            case "UnrecognizedClientException", "InvalidClientTokenId" -> "the role's credentials were not recognized";
            case "InvalidRequestException" -> "refused (the secret is scheduled for deletion, or the version stage is not on it)";
            default -> status == 403 ? "the credentials were refused" : "refused";
        };
    }

    /** {@code __type} (possibly {@code namespace#Type}), if it is a plain name: nothing else of the body is shown. */
    private static String errorType(JsonNode json) {
        if (json == null) {
            return "";
        }
        String type = json.path("__type").asText("");
        type = type.substring(type.lastIndexOf('#') + 1);
        return ERROR_TYPE.matcher(type).matches() ? type : "";
    }
}
