package dev.bootsecrets.cloud.azure;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.cloud.BearerToken;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An access token of the VM's managed identity for one resource, from IMDS: Vault's azure login
 * wants one for {@code https://management.azure.com/}, Key Vault for {@link #KEY_VAULT}, ACR's
 * exchange for {@link #MANAGEMENT}.
 *
 * @param token     sent as {@code Authorization: Bearer TOKEN}
 * @param expiresAt when the token stops working (expires_on)
 */
public record ManagedIdentity(Secret token, Instant expiresAt) implements BearerToken {
    public static final String KEY_VAULT = "https://vault.azure.net";
    public static final String MANAGEMENT = "https://management.azure.com/";
    static final String PATH = "/metadata/identity/oauth2/token";
    /** The managed identity endpoint's first version, which every IMDS serves. */
    static final String API_VERSION = "2018-02-01";

    /**
     * The system-assigned identity's token for {@code resource}; empty when the VM has no managed
     * identity (IMDS's 400 "Identity not found"), for the caller to fail with its own words.
     *
     * @throws MetadataException naming the endpoint on any other failure; never with the token
     */
    public static Optional<ManagedIdentity> fetch(URI imds, String resource, MetadataHttp http, Deadline deadline)
            throws MetadataException {
        return fetch(imds, resource, http, deadline, new AtomicInteger());
    }

    static Optional<ManagedIdentity> fetch(URI imds, String resource, MetadataHttp http, Deadline deadline,
            AtomicInteger requests) throws MetadataException {
        String endpoint = imds.toString().replaceAll("/+$", "") + PATH;
        if (resource.isBlank()) {
            throw new MetadataException(endpoint, "an access token needs a resource (the audience)");
        }
        URI uri = URI.create(endpoint + "?api-version=" + API_VERSION + "&resource="
                + URLEncoder.encode(resource, StandardCharsets.UTF_8));
        Response response = AzureImds.get(http, uri, deadline, requests);
        byte[] body = response.body();
        try {
            JsonNode answer = json(body);
            if (response.status() == 400 && answer != null
                    && answer.path("error_description").asText("").equalsIgnoreCase("Identity not found")) {
                Log.warn("azure: " + endpoint + ": no managed identity is assigned to this VM");
                return Optional.empty();
            }
            if (response.status() != 200) {
                throw new MetadataException(endpoint, "HTTP " + response.status());
            }
            String token = answer == null ? "" : answer.path("access_token").asText("");
            if (token.isEmpty()) {
                throw new MetadataException(endpoint, "no access_token in the answer");
            }
            long expiresOn = answer.path("expires_on").asLong(0); // a string of epoch seconds
            Instant expiry = expiresOn > 0 ? Instant.ofEpochSecond(expiresOn)
                    : Instant.now().plusSeconds(answer.path("expires_in").asLong(0));
            return Optional.of(new ManagedIdentity(Secret.ofUtf8(token), expiry));
        } finally {
            Secret.wipe(body);
        }
    }

    @Override
    public String toString() {
        return "ManagedIdentity[expires " + expiresAt + "]";
    }

    private static JsonNode json(byte[] body) {
        try {
            return JsonTree.read(body);
        } catch (IOException e) {
            return null;
        }
    }
}
