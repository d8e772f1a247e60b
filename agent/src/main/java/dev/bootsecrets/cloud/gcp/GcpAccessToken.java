package dev.bootsecrets.cloud.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.cloud.Fetch;
import dev.bootsecrets.cloud.BearerToken;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * An OAuth access token of the instance's default service account, from the metadata server.
 * What it may do is the account's IAM roles and the instance's access scopes together.
 *
 * @param token     sent as {@code Authorization: Bearer TOKEN}
 * @param expiresAt when the token stops working (from expires_in)
 */
public record GcpAccessToken(Secret token, Instant expiresAt) implements BearerToken {
    /** The scope every Google Cloud API accepts, Secret Manager's and Artifact Registry's among them. */
    public static final String CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";
    static final String TOKEN = "/computeMetadata/v1/instance/service-accounts/default/token";
    private static final int MAX_ANSWER = 64 * 1024;

    /**
     * The default service account's token for {@code scopes} (none: the instance's own scopes).
     *
     * @throws MetadataException naming the endpoint: no service account (404), scopes refused,
     *                           or a wrong answer; never with the token in the message
     */
    public static GcpAccessToken fetch(URI metadata, MetadataHttp http, Deadline deadline, String... scopes)
            throws MetadataException {
        String endpoint = metadata.toString().replaceAll("/+$", "") + TOKEN;
        String query = scopes.length == 0 ? "" : "?scopes=" + URLEncoder.encode(String.join(",", scopes), StandardCharsets.UTF_8);
        Instant asked = Instant.now();
        Response response = Fetch.send(http,
                Request.get(URI.create(endpoint + query), Map.of(GcpProvider.FLAVOR, GcpProvider.GOOGLE), MAX_ANSWER),
                deadline);
        byte[] body = response.body();
        try {
            if (response.status() == 404) {
                throw new MetadataException(endpoint, "the instance has no service account (HTTP 404)");
            }
            if (response.status() != 200) {
                throw new MetadataException(endpoint, "HTTP " + response.status());
            }
            JsonNode answer = JsonTree.read(body);
            String token = answer == null ? "" : answer.path("access_token").asText("");
            if (token.isEmpty()) {
                throw new MetadataException(endpoint, "no access_token in the answer");
            }
            return new GcpAccessToken(Secret.ofUtf8(token), asked.plusSeconds(answer.path("expires_in").asLong(0)));
        } catch (IOException e) {
            throw new MetadataException(endpoint, "not a JSON document");
        } finally {
            Secret.wipe(body);
        }
    }

    @Override
    public String toString() {
        return "GcpAccessToken[expires " + expiresAt + "]";
    }
}
