package dev.bootsecrets.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.cloud.aws.AwsCredentials;
import dev.bootsecrets.cloud.aws.Ecr;
import dev.bootsecrets.cloud.aws.SigV4;
import dev.bootsecrets.cloud.azure.ManagedIdentity;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.testing.Emulated;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The emulator's ECR GetAuthorizationToken and ACR /oauth2/exchange check what the real
 * services check, and answer in their error shapes.
 */
class RegistryApisTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ECR_BODY = "{\"registryIds\":[\"123456789012\"]}";
    @RegisterExtension
    final Emulated cloud = new Emulated();

    @Test
    void ecrHandsOutTheDerivedPasswordToTheRolesSignedRequest() throws Exception {
        Scenario scenario = Scenario.sample("aws");
        AwsCredentials role = startAws(scenario);

        Response ok = ecr(role, "us-east-1", Instant.now());

        assertEquals(200, ok.status());
        JsonNode data = JSON.readTree(ok.body()).path("authorizationData").path(0);
        String login = new String(Base64.getDecoder().decode(data.get("authorizationToken").asText()), StandardCharsets.UTF_8);
        assertEquals("AWS:" + RegistryTokens.password(scenario, "ecr", "123456789012.dkr.ecr.us-east-1.amazonaws.com"), login);
        assertEquals("https://123456789012.dkr.ecr.us-east-1.amazonaws.com", data.get("proxyEndpoint").asText());
        assertTrue(data.get("expiresAt").asDouble() > Instant.now().plus(Duration.ofHours(11)).getEpochSecond());
    }

    @Test
    void ecrRefusesWhatAwsRefusesInItsErrorShape() throws Exception {
        AwsCredentials role = startAws(Scenario.sample("aws"));
        AwsCredentials wrongSecret = new AwsCredentials(role.accessKeyId(), Secret.ofUtf8("not-the-secret-key"),
                role.sessionToken(), role.expiration(), role.region());
        AwsCredentials wrongToken = new AwsCredentials(role.accessKeyId(), role.secretAccessKey(),
                Secret.ofUtf8("not-the-session-token"), role.expiration(), role.region());

        assertError(ecr(wrongSecret, "us-east-1", Instant.now()), 403, "InvalidSignatureException");
        assertError(ecr(wrongToken, "us-east-1", Instant.now()), 403, "UnrecognizedClientException");
        assertError(ecr(role, "eu-west-1", Instant.now()), 403, "InvalidSignatureException");
        assertError(ecr(role, "us-east-1", Instant.now().minus(Duration.ofMinutes(20))), 403, "InvalidSignatureException");
        Response unsigned = cloud.http().send(Request.post(cloud.emulator().url().resolve("/"), Map.of("Content-Type", Ecr.CONTENT_TYPE,
                "X-Amz-Target", Ecr.TARGET), ECR_BODY.getBytes(StandardCharsets.UTF_8), 65536), deadline());
        assertError(unsigned, 400, "MissingAuthenticationTokenException");
    }

    @Test
    void ecrRefusesAnExpiredSessionToken() throws Exception {
        AwsCredentials role = startAws(Scenario.sample("aws").withAws(new Scenario.Aws(false, true, "bootsecrets-demo", 0)));

        assertError(ecr(role, "us-east-1", Instant.now()), 403, "ExpiredTokenException");
    }

    @Test
    void acrExchangesOnlyAValidManagedIdentityTokenOfThisTenant() throws Exception {
        Scenario scenario = Scenario.sample("azure");
        Emulator emulator = cloud.start("azure", scenario);
        Secret management = ManagedIdentity.fetch(emulator.url(), ManagedIdentity.MANAGEMENT, cloud.http(), deadline()).orElseThrow().token();
        Secret vault = ManagedIdentity.fetch(emulator.url(), ManagedIdentity.KEY_VAULT, cloud.http(), deadline()).orElseThrow().token();

        Response ok = exchange("access_token", "bootsecretsdemo.azurecr.io", management.utf8());
        assertEquals(200, ok.status());
        assertEquals(RegistryTokens.password(scenario, "acr", "bootsecretsdemo.azurecr.io"),
                JSON.readTree(ok.body()).get("refresh_token").asText());

        assertEquals(401, exchange("access_token", "bootsecretsdemo.azurecr.io", vault.utf8()).status(), "another audience");
        assertEquals(401, exchange("access_token", "bootsecretsdemo.azurecr.io", "").status(), "no token");
        assertEquals(401, exchange("access_token", "bootsecretsdemo.azurecr.io", "a.b.c").status(), "not a token");
        assertEquals(400, exchange("password", "bootsecretsdemo.azurecr.io", management.utf8()).status());
        Response notRegistry = exchange("access_token", "example.com", management.utf8());
        assertEquals(400, notRegistry.status());
        assertTrue(JSON.readTree(notRegistry.body()).path("errors").path(0).has("code"));
    }

    private AwsCredentials startAws(Scenario scenario) throws Exception {
        cloud.start("aws", scenario);
        return AwsCredentials.fromImds(cloud.emulator().url(), false, cloud.http(), deadline());
    }

    private Response ecr(AwsCredentials credentials, String region, Instant time) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", Ecr.CONTENT_TYPE);
        headers.put("X-Amz-Target", Ecr.TARGET);
        return cloud.http().send(SigV4.post(cloud.emulator().url().resolve("/"), headers, ECR_BODY.getBytes(StandardCharsets.UTF_8), 65536,
                region, "ecr", credentials, time), deadline());
    }

    private Response exchange(String grant, String service, String token) throws Exception {
        String form = "grant_type=" + grant + "&service=" + service + "&access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        return cloud.http().send(Request.post(URI.create(cloud.emulator().url() + "/oauth2/exchange"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"), form.getBytes(StandardCharsets.UTF_8), 65536), deadline());
    }

    private static void assertError(Response response, int status, String type) throws Exception {
        assertEquals(status, response.status(), new String(response.body(), StandardCharsets.UTF_8));
        assertEquals(type, JSON.readTree(response.body()).path("__type").asText());
        assertEquals(type, response.headers().get("x-amzn-errortype"));
    }

    private static Deadline deadline() {
        return Emulated.seconds(10);
    }
}
