package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.RegistryTokens;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.log.Log;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-credential-bootsecrets at the protocol level, as containers/image and docker call it:
 * get (ECR, Artifact Registry, ACR) against the emulator, list, store and erase refused, an
 * unknown registry's "credentials not found", the token cache, and no token in the log.
 */
class CredentialHelperTest {
    static final String ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    static final String GAR = "europe-west4-docker.pkg.dev";
    static final String ACR = "bootsecretsdemo.azurecr.io";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;
    private Emulator emulator;

    /** What one call printed on stdout and stderr, and returned. */
    record Call(int exit, String out, String err) {}

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }

    @Test
    void ecrGetsTheRoleSignedTokenOnceAndTheCacheServesTheNext() throws Exception {
        Scenario scenario = Scenario.sample("aws");
        start("aws", scenario);

        Call first = call("get", ECR + "\n");
        int requests = emulator.log().count();
        Call second = call("get", "https://" + ECR + "/v2/");

        assertEquals(0, first.exit(), first.toString());
        JsonNode answer = JSON.readTree(first.out());
        assertEquals(ECR, answer.get("ServerURL").asText());
        assertEquals("AWS", answer.get("Username").asText());
        String password = RegistryTokens.password(scenario, "ecr", ECR);
        assertEquals(password, answer.get("Secret").asText());
        assertEquals(0, second.exit(), second.toString());
        assertEquals(password, JSON.readTree(second.out()).get("Secret").asText());
        assertEquals(requests, emulator.log().count(), "the second get asked the cloud again");
        Path cached = root.resolve("run/bootsecrets/registry-tokens/" + ECR);
        assertEquals("rw-------", Agent.mode(cached));
        assertEquals("0:0", Agent.owner(cached));
        assertEquals("rwx------", Agent.mode(cached.getParent()));
        assertFalse(first.err().contains(password) || second.err().contains(password), "the token is in the log");
    }

    @Test
    void artifactRegistryGetsTheServiceAccountsAccessToken() throws Exception {
        start("gcp", Scenario.sample("gcp"));

        Call get = call("get", GAR);

        assertEquals(0, get.exit(), get.toString());
        JsonNode answer = JSON.readTree(get.out());
        assertEquals("oauth2accesstoken", answer.get("Username").asText());
        String token = answer.get("Secret").asText();
        assertTrue(token.startsWith("ya29."), "not the metadata server's token");
        assertFalse(get.err().contains(token));
        assertEquals(0, call("get", "gcr.io").exit());
        assertEquals(0, call("get", "us.gcr.io").exit());
    }

    @Test
    void acrGetsTheManagedIdentitysTokenExchangedForARefreshToken() throws Exception {
        Scenario scenario = Scenario.sample("azure");
        start("azure", scenario);

        Call get = call("get", ACR);

        assertEquals(0, get.exit(), get.toString());
        JsonNode answer = JSON.readTree(get.out());
        assertEquals("00000000-0000-0000-0000-000000000000", answer.get("Username").asText());
        assertEquals(RegistryTokens.password(scenario, "acr", ACR), answer.get("Secret").asText());
        assertTrue(emulator.log().requests().stream().anyMatch(r -> r.path().equals("/oauth2/exchange") && r.status() == 200));
    }

    @Test
    void aRegistryNoCloudServesIsNotFoundAsTheProtocolSays() throws Exception {
        start("aws", Scenario.sample("aws"));

        for (String server : new String[] {"quay.io", "registry.example.com:5000", "not a url", ""}) {
            Call get = call("get", server);
            assertEquals(1, get.exit(), server);
            assertEquals("credentials not found in native keychain\n", get.out(), server);
        }
        assertEquals(0, emulator.log().count(), "asked the cloud for a registry it does not serve");
    }

    @Test
    void anotherCloudsRegistryIsNotFoundWithoutAskingThisCloud() throws Exception {
        start("aws", Scenario.sample("aws"));

        Call get = call("get", ACR);

        assertEquals(1, get.exit());
        assertEquals("credentials not found in native keychain\n", get.out());
        assertEquals(0, emulator.log().count());
    }

    @Test
    void expiredRoleCredentialsFailTheGetWithoutAToken() throws Exception {
        Scenario s = Scenario.sample("aws");
        start("aws", s.withAws(new Scenario.Aws(false, true, "bootsecrets-demo", 0)));

        Call get = call("get", ECR);

        assertEquals(1, get.exit(), get.toString());
        assertTrue(get.out().startsWith("bootsecrets: " + ECR + ": "), get.out());
        assertTrue(get.out().contains("HTTP 403, ExpiredTokenException"), get.out());
        assertFalse(get.out().contains(RegistryTokens.password(s, "ecr", ECR)));
        assertFalse(Files.exists(root.resolve("run/bootsecrets/registry-tokens/" + ECR)), "a failure was cached");
    }

    @Test
    void aPlainHttpEndpointOffLoopbackIsRefusedBeforeAnyTokenIsSent() throws Exception {
        start("aws", Scenario.sample("aws"));
        Agent.writeConfig(root, "provider: aws\nmetadata: {url: \"" + emulator.url() + "\"}\n"
                + "endpoints: {ecr: \"http://ecr.example.com\"}\n");

        Call get = call("get", ECR);

        assertEquals(1, get.exit());
        assertTrue(get.out().startsWith("bootsecrets: invalid config"), get.out());
        assertTrue(get.err().contains("endpoints.ecr"), get.err());
        assertEquals(0, emulator.log().count());
    }

    @Test
    void listNamesTheRegistriesTheConfigHasThisHelperServe() throws Exception {
        start("aws", Scenario.sample("aws"));

        Call list = call("list", "");

        assertEquals(0, list.exit(), list.toString());
        assertEquals("{\"" + ECR + "\":\"AWS\"}", list.out().strip());
    }

    @Test
    void storeAndEraseAreRefusedInTheProtocolsErrorForm() throws Exception {
        start("aws", Scenario.sample("aws"));

        Call store = call("store", "{\"ServerURL\":\"" + ECR + "\",\"Username\":\"AWS\",\"Secret\":\"hunter2-not-kept\"}");
        Call erase = call("erase", ECR);
        Call other = call("frobnicate", "");

        assertEquals(1, store.exit());
        assertTrue(store.out().contains("store is not supported"), store.out());
        assertFalse(store.toString().contains("hunter2-not-kept"));
        assertEquals(1, erase.exit());
        assertTrue(erase.out().contains("erase is not supported"), erase.out());
        assertEquals(1, other.exit());
        assertTrue(other.out().contains("unknown credential action frobnicate"), other.out());
        assertFalse(Files.exists(root.resolve("run/bootsecrets/registry-tokens")));
    }

    @Test
    void theProgramNamePicksTheHelperMode() {
        String[] args = {"get"};
        assertEquals(java.util.List.of("credential-helper", "get"),
                java.util.List.of(ProgramName.dispatch(Optional.of("/usr/bin/docker-credential-bootsecrets"), args)));
        assertEquals(java.util.List.of("credential-helper", "get"),
                java.util.List.of(ProgramName.dispatch(Optional.of("docker-credential-bootsecrets"), args)));
        assertEquals(java.util.List.of("get"),
                java.util.List.of(ProgramName.dispatch(Optional.of("/usr/bin/bootsecrets"), args)));
        assertEquals(java.util.List.of("get"), java.util.List.of(ProgramName.dispatch(Optional.empty(), args)));
        assertEquals(Optional.of("docker-credential-bootsecrets"),
                ProgramName.first("docker-credential-bootsecrets\0get\0".getBytes(StandardCharsets.UTF_8)));
    }

    private void start(String provider, Scenario scenario) throws Exception {
        emulator = Emulator.start(provider, new InetSocketAddress("127.0.0.1", 0), scenario);
        Agent.writeConfig(root, """
                provider: %s
                metadata: {url: "%s"}
                endpoints: {ecr: "%s", acr: "%s/oauth2/exchange"}
                registries:
                  %s: {helper: bootsecrets}
                  quay.io: {helper: other}
                """.formatted(provider, emulator.url(), emulator.url(), emulator.url(), ECR));
    }

    private Call call(String action, String stdin) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Log.configure(new PrintStream(err, true, StandardCharsets.UTF_8), true);
        int exit = CredentialHelper.run(new String[] {"credential-helper", "--root", root.toString(), action},
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Call(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
