package dev.bootsecrets.cloud.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.cloud.ApiCall;
import dev.bootsecrets.cloud.Fetch;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.SecretSourceException;
import dev.bootsecrets.cloud.SecretStore;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Google Secret Manager: {@code versions/V:access} with the default service account's token,
 * the payload's CRC32C checked against the one the service sends.
 */
public final class SecretManager implements SecretStore {
    static final String PROJECT_ID = "/computeMetadata/v1/project/project-id";
    private static final int MAX_ANSWER = 1 << 20;
    /** Google's canonical error statuses: PERMISSION_DENIED, NOT_FOUND, FAILED_PRECONDITION. */
    private static final Pattern ERROR_STATUS = Pattern.compile("[A-Z_]{1,40}");

    private final Context context;
    private GcpAccessToken token;
    private String project;

    public SecretManager(Context context) {
        this.context = context;
    }

    @Override
    public Secret read(Source.FromCloud source) throws SecretSourceException {
        if (!(source instanceof Source.GcpSecret secret)) {
            throw new SecretSourceException(source.reference() + ": not a Google Cloud source");
        }
        String reference = secret.reference();
        String name = "projects/" + secret.project().orElse(project(reference)) + "/secrets/" + secret.secret()
                + "/versions/" + secret.version();
        URI uri = URI.create(context.endpoints().gcpSecretManager() + "/v1/" + name + ":access");
        ApiCall.Answer answer = ApiCall.send(context.api(),
                Request.get(uri, Map.of("Authorization", token(reference).bearer()), MAX_ANSWER), context.deadline(), reference);
        JsonNode json = answer.json();
        if (answer.status() != 200 || json == null) {
            String status = json == null ? "" : json.path("error").path("status").asText("");
            throw ApiCall.refused(reference, reason(answer.status(), status), uri, answer.status(), status, ERROR_STATUS);
        }
        return payload(reference, json.path("payload"));
    }

    /** The payload's bytes, if its CRC32C (when the service sends one) matches them. */
    private static Secret payload(String reference, JsonNode payload) throws SecretSourceException {
        if (!payload.path("data").isTextual()) {
            throw new SecretSourceException(reference + ": the answer has no payload.data");
        }
        Secret value;
        try {
            value = Secret.decodeBase64(Secret.ofUtf8(payload.path("data").asText()));
        } catch (IllegalArgumentException e) {
            throw new SecretSourceException(reference + ": payload.data is not valid base64");
        }
        JsonNode crc = payload.get("dataCrc32c");
        if (crc == null) {
            Log.info("gcp: " + reference + ": the answer has no dataCrc32c to check the payload against");
            return value;
        }
        byte[] bytes = value.bytes();
        CRC32C checksum = new CRC32C();
        checksum.update(bytes);
        Secret.wipe(bytes);
        if (!crc.asText("").equals(Long.toString(checksum.getValue()))) {
            throw new SecretSourceException(reference + ": the payload does not match its CRC32C (corrupted on the way)");
        }
        return value;
    }

    private static String reason(int status, String code) {
        return switch (status) {
            case 401 -> "the service account's access token was refused";
            case 403 -> "access denied to the instance's service account (it needs roles/secretmanager.secretAccessor,"
                    + " and the instance the cloud-platform scope)";
            case 404 -> "not found";
            default -> code.equals("FAILED_PRECONDITION") ? "the version is disabled or destroyed" : "refused";
        };
    }

    private synchronized GcpAccessToken token(String reference) throws SecretSourceException {
        if (token == null) {
            try {
                token = GcpAccessToken.fetch(context.metadataUrl(), context.metadata(), context.deadline(), GcpAccessToken.CLOUD_PLATFORM);
            } catch (MetadataException e) {
                throw new SecretSourceException(reference + ": no access token: " + e.getMessage(), e);
            }
        }
        return token;
    }

    /** The instance's own project, for sources that name none. */
    private synchronized String project(String reference) throws SecretSourceException {
        if (project == null) {
            URI uri = URI.create(context.metadataUrl().toString().replaceAll("/+$", "") + PROJECT_ID);
            try {
                Response response = Fetch.send(context.metadata(),
                        Request.get(uri, Map.of(GcpProvider.FLAVOR, GcpProvider.GOOGLE), 256), context.deadline());
                String id = new String(response.body(), StandardCharsets.UTF_8).strip();
                if (response.status() != 200 || !id.matches("[a-z0-9][a-z0-9-]{0,62}")) {
                    throw new SecretSourceException(reference + ": the instance's project id could not be read ("
                            + MetadataHttp.endpoint(uri) + ", HTTP " + response.status() + ")");
                }
                project = id;
            } catch (MetadataException e) {
                throw new SecretSourceException(reference + ": the instance's project id could not be read: " + e.getMessage(), e);
            }
        }
        return project;
    }
}
