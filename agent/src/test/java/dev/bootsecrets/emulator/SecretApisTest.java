package dev.bootsecrets.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.cloud.aws.AwsCredentials;
import dev.bootsecrets.cloud.aws.SigV4;
import dev.bootsecrets.cloud.azure.ManagedIdentity;
import dev.bootsecrets.cloud.gcp.GcpAccessToken;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.testing.Emulated;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The emulated secrets managers check what the real ones check: SigV4 and session tokens, bearer tokens. */
class SecretApisTest {
    private static final Scenario.Secrets SECRETS = new Scenario.Secrets(Map.of(), Map.of("/app/key", "v-1"),
            Map.of("db", List.of("g-1")), Map.of("demo-vault/db", List.of("a-1")), List.of());
    @RegisterExtension
    final Emulated cloud = new Emulated();
    private final Deadline deadline = Emulated.seconds(10);
    private MetadataHttp http;
    private Emulator emulator;

    @Test
    void aRequestSignedWithTheRoleCredentialsIsAcceptedATamperedOneGets403() throws Exception {
        start("aws");
        AwsCredentials role = AwsCredentials.fromImds(emulator.url(), false, http, deadline);
        byte[] body = "{\"Name\":\"/app/key\",\"WithDecryption\":true}".getBytes(StandardCharsets.UTF_8);

        Response ok = http.send(getParameter(role, body, Instant.now()), deadline);
        assertEquals(200, ok.status());
        assertEquals("v-1", json(ok).path("Parameter").path("Value").asText());

        Request signed = getParameter(role, body, Instant.now());
        Request tampered = new Request("POST", signed.uri(), signed.headers(),
                "{\"Name\":\"/app/other\",\"WithDecryption\":true}".getBytes(StandardCharsets.UTF_8), 65536);
        assertAwsError(http.send(tampered, deadline), 403, "InvalidSignatureException");

        AwsCredentials wrongSecret = new AwsCredentials(role.accessKeyId(), Secret.ofUtf8("not-the-secret"),
                role.sessionToken(), role.expiration(), role.region());
        assertAwsError(http.send(getParameter(wrongSecret, body, Instant.now()), deadline), 403, "InvalidSignatureException");

        AwsCredentials wrongToken = new AwsCredentials(role.accessKeyId(), role.secretAccessKey(),
                Secret.ofUtf8("forged-token"), role.expiration(), role.region());
        assertAwsError(http.send(getParameter(wrongToken, body, Instant.now()), deadline), 403, "UnrecognizedClientException");

        assertAwsError(http.send(getParameter(role, body, Instant.now().minus(Duration.ofMinutes(20))), deadline), 403,
                "InvalidSignatureException");

        Map<String, String> unsigned = new HashMap<>(signed.headers());
        unsigned.remove("Authorization");
        assertAwsError(http.send(new Request("POST", signed.uri(), unsigned, body, 65536), deadline), 400,
                "MissingAuthenticationTokenException");
    }

    @Test
    void gcpSecretManagerWantsTheMetadataServersToken() throws Exception {
        start("gcp");
        URI uri = URI.create(emulator.url() + "/v1/projects/demo-project/secrets/db/versions/latest:access");
        assertEquals(401, http.send(Request.get(uri, Map.of(), 65536), deadline).status());
        assertEquals(401, http.send(Request.get(uri, Map.of("Authorization", "Bearer ya29.forged"), 65536), deadline).status());

        GcpAccessToken token = GcpAccessToken.fetch(emulator.url(), http, deadline);
        Response ok = http.send(Request.get(uri, Map.of("Authorization", token.bearer()), 65536), deadline);
        assertEquals(200, ok.status());
        assertEquals("Zy0x", json(ok).path("payload").path("data").asText(), "base64 of g-1");
    }

    @Test
    void keyVaultWantsAManagedIdentityTokenForKeyVault() throws Exception {
        start("azure");
        URI uri = URI.create(emulator.url() + "/keyvault/demo-vault/secrets/db?api-version=7.4");
        Response none = http.send(Request.get(uri, Map.of(), 65536), deadline);
        assertEquals(401, none.status());
        assertTrue(none.headers().get("www-authenticate").startsWith("Bearer authorization="));

        ManagedIdentity management = ManagedIdentity.fetch(emulator.url(), ManagedIdentity.MANAGEMENT, http, deadline).orElseThrow();
        assertEquals(401, http.send(Request.get(uri, Map.of("Authorization", management.bearer()), 65536), deadline).status(),
                "a token for another resource");

        ManagedIdentity vault = ManagedIdentity.fetch(emulator.url(), ManagedIdentity.KEY_VAULT, http, deadline).orElseThrow();
        Response ok = http.send(Request.get(uri, Map.of("Authorization", vault.bearer()), 65536), deadline);
        assertEquals(200, ok.status());
        assertEquals("a-1", json(ok).path("value").asText());
    }

    private Request getParameter(AwsCredentials credentials, byte[] body, Instant time) {
        return SigV4.post(URI.create(emulator.url() + "/"), Map.of("Content-Type", "application/x-amz-json-1.1",
                "X-Amz-Target", "AmazonSSM.GetParameter"), body, 65536, "us-east-1", "ssm", credentials, time);
    }

    private static void assertAwsError(Response response, int status, String type) throws Exception {
        assertEquals(status, response.status(), new String(response.body(), StandardCharsets.UTF_8));
        assertEquals(type, json(response).path("__type").asText());
        assertEquals("application/x-amz-json-1.1", response.headers().get("content-type"));
    }

    private static JsonNode json(Response response) throws Exception {
        return new ObjectMapper().readTree(response.body());
    }

    private void start(String provider) throws Exception {
        emulator = cloud.start(provider, Scenario.sample(provider).withSecrets(SECRETS));
        http = cloud.http();
    }
}
