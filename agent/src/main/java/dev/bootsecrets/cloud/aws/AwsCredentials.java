package dev.bootsecrets.cloud.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The temporary credentials of the instance's IAM role, as IMDSv2 hands them out under
 * {@code meta-data/iam/security-credentials/ROLE}, and the instance's region, where requests go
 * unless told otherwise. The secret key and the session token are {@link Secret}s.
 *
 * @param sessionToken empty for long-term keys (the SigV4 test suite's), never for a role's
 */
public record AwsCredentials(String accessKeyId, Secret secretAccessKey, Secret sessionToken, Instant expiration, String region) {
    static final String ROLES = "/meta-data/iam/security-credentials/";
    static final String REGION = "/meta-data/placement/region";
    private static final int MAX_ANSWER = 64 * 1024;

    /**
     * The role's credentials and the region, from the IMDS at {@code imds} (IMDSv2; IMDSv1 only
     * when {@code imdsv1} allows it).
     *
     * @throws MetadataException naming the endpoint when the instance has no role, or IMDS
     *                           answers wrongly; never with a credential in the message
     */
    public static AwsCredentials fromImds(URI imds, boolean imdsv1, MetadataHttp http, Deadline deadline)
            throws MetadataException {
        Imds session = Imds.open(imds, imdsv1, http, deadline);
        String role = text(session, ROLES)
                .lines().map(String::strip).filter(line -> !line.isEmpty()).findFirst()
                .orElseThrow(() -> noRole(session));
        String region = text(session, REGION);
        if (!role.matches("[\\w+=,.@-]{1,128}")) {
            throw new MetadataException(session.endpoint(ROLES), "the role name is not an IAM role name");
        }
        String path = ROLES + role;
        byte[] body = session.get(path, MAX_ANSWER).orElseThrow(() -> noRole(session));
        try {
            JsonNode answer = JsonTree.read(body);
            if (answer == null || !answer.isObject()) {
                throw new MetadataException(session.endpoint(path), "not a JSON object");
            }
            if (!answer.path("Code").asText("").equals("Success")) {
                throw new MetadataException(session.endpoint(path), "Code is not Success (the role's credentials are not ready)");
            }
            String keyId = answer.path("AccessKeyId").asText("");
            String secret = answer.path("SecretAccessKey").asText("");
            String token = answer.path("Token").asText("");
            if (keyId.isEmpty() || secret.isEmpty() || token.isEmpty()) {
                throw new MetadataException(session.endpoint(path), "AccessKeyId, SecretAccessKey or Token missing");
            }
            return new AwsCredentials(keyId, Secret.ofUtf8(secret), Secret.ofUtf8(token),
                    Instant.parse(answer.path("Expiration").asText("")), region);
        } catch (IOException e) {
            throw new MetadataException(session.endpoint(path), "not a JSON document");
        } catch (DateTimeParseException e) {
            throw new MetadataException(session.endpoint(path), "Expiration is not an ISO-8601 time");
        } finally {
            Secret.wipe(body);
        }
    }

    /** Whether these credentials are expired, or will be within {@code margin} of {@code now}. */
    public boolean expiresWithin(Duration margin, Instant now) {
        return !now.plus(margin).isBefore(expiration);
    }

    /** The same credentials for another region (a secret named in another region, ECR's region from its host). */
    public AwsCredentials inRegion(String other) {
        return new AwsCredentials(accessKeyId, secretAccessKey, sessionToken, expiration, other);
    }

    /** The key id and the expiry only: the rest is secret. */
    @Override
    public String toString() {
        return "AwsCredentials[" + accessKeyId + ", expires " + expiration + ", " + region + "]";
    }

    private static String text(Imds session, String path) throws MetadataException {
        return session.get(path, MAX_ANSWER).map(bytes -> new String(bytes, StandardCharsets.UTF_8).strip())
                .orElseThrow(() -> path.equals(ROLES) ? noRole(session)
                        : new MetadataException(session.endpoint(path), "not found (HTTP 404)"));
    }

    private static MetadataException noRole(Imds session) {
        return new MetadataException(session.endpoint(ROLES),
                "no IAM role is attached to this instance (give it an instance profile)");
    }
}
