package dev.bootsecrets.cloud.azure;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.cloud.registry.RegistryException;
import dev.bootsecrets.cloud.registry.RegistryToken;
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
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * ACR's token exchange: the managed identity's Microsoft Entra access token, posted to the
 * registry's {@code /oauth2/exchange}, becomes an ACR refresh token, which docker and
 * containers/image send as the password of the null GUID user.
 */
public final class AcrExchange {
    /** The user name ACR expects with a refresh token. */
    public static final String USERNAME = "00000000-0000-0000-0000-000000000000";
    /** ACR's refresh tokens live three hours; a token whose own expiry cannot be read is kept no longer. */
    static final long LIFETIME_SECONDS = 3 * 3600;
    private static final int MAX_RESPONSE = 64 * 1024;

    private AcrExchange() {}

    /** {@code https://REGISTRY/oauth2/exchange}, where ACR serves the exchange. */
    public static URI endpoint(String registry) {
        return URI.create("https://" + registry + "/oauth2/exchange");
    }

    /**
     * @param endpoint    the exchange URL: {@link #endpoint} unless config names another
     * @param registry    the registry's host, the {@code service} the refresh token is for
     * @param accessToken the managed identity's token for Azure Resource Manager
     */
    public static RegistryToken exchange(MetadataHttp http, URI endpoint, String registry, Secret accessToken,
            Deadline deadline, Clock clock) throws RegistryException {
        String where = MetadataHttp.endpoint(endpoint);
        byte[] form = ("grant_type=access_token&service=" + URLEncoder.encode(registry, StandardCharsets.UTF_8)
                + "&access_token=" + URLEncoder.encode(accessToken.utf8(), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        Response response;
        try {
            response = http.send(Request.post(endpoint,
                    Map.of("Content-Type", "application/x-www-form-urlencoded", "Accept", "application/json"),
                    form, MAX_RESPONSE), deadline);
        } catch (IOException e) {
            throw new RegistryException(registry + ": the token exchange failed: " + e.getMessage());
        } finally {
            Secret.wipe(form);
        }
        if (response.status() != 200) {
            throw new RegistryException(registry + ": " + where + " refused the managed identity's token (HTTP "
                    + response.status() + "); the identity needs the AcrPull role on the registry");
        }
        JsonNode body;
        try {
            body = JsonTree.read(response.body());
        } catch (IOException e) {
            body = null;
        } finally {
            Secret.wipe(response.body());
        }
        if (body == null || !body.path("refresh_token").isTextual() || body.get("refresh_token").asText().isEmpty()) {
            throw new RegistryException(registry + ": " + where + " answered without a refresh_token");
        }
        String token = body.get("refresh_token").asText();
        Instant latest = clock.instant().plusSeconds(LIFETIME_SECONDS);
        Instant expires = expiry(token).filter(latest::isAfter).orElse(latest);
        return new RegistryToken(USERNAME, Secret.ofUtf8(token), expires);
    }

    /** The {@code exp} claim of a JWT-shaped token, read without checking its signature (only ACR does that). */
    static Optional<Instant> expiry(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            JsonNode claims = JsonTree.read(Base64.getUrlDecoder().decode(parts[1]));
            return claims != null && claims.path("exp").canConvertToLong()
                    ? Optional.of(Instant.ofEpochSecond(claims.get("exp").asLong()))
                    : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
