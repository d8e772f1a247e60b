package dev.bootsecrets.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The GCP and Azure emulations keep their services' rules; checked with the JDK's own client, not ours. */
class CloudApisTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Emulator emulator;

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
        client.close();
    }

    @Test
    void gcpWantsTheFlavorHeaderAndNoProxyAndAlwaysAnswersWithIt() throws Exception {
        start("gcp");
        var without = get("/computeMetadata/v1/instance/hostname");
        assertEquals(403, without.statusCode());
        assertEquals(Optional.of("Google"), without.headers().firstValue("Metadata-Flavor"));
        assertEquals(403, get("/computeMetadata/v1/instance/hostname", "Metadata-Flavor", "Google",
                "X-Forwarded-For", "10.0.0.9").statusCode());

        var hostname = get("/computeMetadata/v1/instance/hostname", "Metadata-Flavor", "Google");
        assertEquals(200, hostname.statusCode());
        assertEquals("demo-vm.us-central1-a.c.demo-project.internal", hostname.body());
        assertEquals(Optional.of("Google"), hostname.headers().firstValue("Metadata-Flavor"));
        assertEquals(404, get("/computeMetadata/v1/instance/nothing", "Metadata-Flavor", "Google").statusCode());
    }

    @Test
    void gcpServesTheTreeAsListingsValuesOrRecursiveJson() throws Exception {
        start("gcp");
        String listing = get("/computeMetadata/v1/instance/", "Metadata-Flavor", "Google").body();
        assertTrue(listing.contains("attributes/\n") && listing.contains("service-accounts/\n"), listing);
        assertEquals("demo-registry-token-0001",
                get("/computeMetadata/v1/instance/attributes/registry-token", "Metadata-Flavor", "Google").body());
        assertEquals("demo-project", get("/computeMetadata/v1/project/project-id", "Metadata-Flavor", "Google").body());

        JsonNode all = new ObjectMapper().readTree(
                get("/computeMetadata/v1/?recursive=true&alt=json", "Metadata-Flavor", "Google").body());
        assertEquals("projects/123456789012/zones/us-central1-a", all.path("instance").path("zone").asText());
        String instanceKeys = all.path("instance").path("attributes").path("ssh-keys").asText();
        assertTrue(instanceKeys.contains("core:ssh-ed25519 "), instanceKeys);
        assertTrue(instanceKeys.contains("google-ssh {\"userName\":\"core@example.com\",\"expireOn\":\"2020-01-01T00:00:00+0000\"}"));
        assertTrue(all.path("project").path("attributes").path("ssh-keys").asText().startsWith("deploy:ssh-ed25519 "));
    }

    @Test
    void gcpIdentityNeedsAnAudienceAndNamesIt() throws Exception {
        start("gcp");
        String path = "/computeMetadata/v1/instance/service-accounts/default/identity";
        assertEquals(400, get(path, "Metadata-Flavor", "Google").statusCode());
        String token = get(path + "?audience=https%3A%2F%2Fjoin.example.com&format=full", "Metadata-Flavor", "Google").body();
        JsonNode payload = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertEquals("https://join.example.com", payload.path("aud").asText());
        assertEquals("demo-project", payload.path("google").path("compute_engine").path("project_id").asText());
    }

    @Test
    void azureImdsWantsItsHeaderAndAKnownApiVersion() throws Exception {
        start("azure");
        String path = "/metadata/instance?api-version=2023-07-01";
        var without = get(path);
        assertEquals(400, without.statusCode());
        assertTrue(without.body().contains("Required metadata header not specified"), without.body());
        assertTrue(get("/metadata/instance", "Metadata", "true").body().contains("api-version was not specified"));
        assertEquals(400, get("/metadata/instance?api-version=1999-01-01", "Metadata", "true").statusCode());
        assertEquals(400, get(path, "Metadata", "true", "X-Forwarded-For", "10.0.0.9").statusCode());

        JsonNode compute = new ObjectMapper().readTree(get(path, "Metadata", "true").body()).path("compute");
        assertEquals("core", compute.path("osProfile").path("adminUsername").asText());
        assertEquals("/home/deploy/.ssh/authorized_keys", compute.path("publicKeys").get(1).path("path").asText());
        assertEquals("registry-token", compute.path("tagsList").get(0).path("name").asText());
        assertTrue(new String(Base64.getDecoder().decode(compute.path("userData").asText())).startsWith("#cloud-config"));
        assertEquals("pkcs7", new ObjectMapper().readTree(
                get("/metadata/attested/document?api-version=2023-07-01", "Metadata", "true").body()).path("encoding").asText());
    }

    @Test
    void azureGivesTheManagedIdentityTokenOfTheVmForTheResource() throws Exception {
        start("azure");
        String path = "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F";
        assertEquals(400, get(path).statusCode(), "the Metadata header is required here too");
        assertEquals(400, get(path.replace("2018-02-01", "1999-01-01"), "Metadata", "true").statusCode());

        JsonNode answer = new ObjectMapper().readTree(get(path, "Metadata", "true").body());
        assertEquals("https://management.azure.com/", answer.path("resource").asText());
        assertEquals("Bearer", answer.path("token_type").asText());
        JsonNode claims = new ObjectMapper().readTree(
                Base64.getUrlDecoder().decode(answer.path("access_token").asText().split("\\.")[1]));
        assertEquals("https://management.azure.com/", claims.path("aud").asText());
        assertEquals("/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/demo-rg"
                + "/providers/Microsoft.Compute/virtualMachines/demo-vm", claims.path("xms_mirid").asText());
        assertTrue(answer.path("expires_on").asLong() > claims.path("iat").asLong());
    }

    @Test
    void azureSaysIdentityNotFoundForAVmWithoutManagedIdentity() throws Exception {
        Scenario s = Scenario.sample("azure");
        emulator = Emulator.start("azure", new InetSocketAddress("127.0.0.1", 0), new Scenario(s.instanceId(),
                s.hostname(), s.region(), s.zone(), s.sshKeys(), s.attributes(), s.userData(), s.aws(), s.faults(),
                s.gcp(), new Scenario.Azure("core", "sub-1", "rg-1", false)));
        var answer = get("/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.example.com",
                "Metadata", "true");
        assertEquals(400, answer.statusCode());
        assertEquals("{\"error\":\"invalid_request\",\"error_description\":\"Identity not found\"}", answer.body());
    }

    @Test
    void theWireserverTakesOnlyAReadyReportForItsGoalState() throws Exception {
        start("azure");
        assertEquals(400, get("/machine/?comp=goalstate").statusCode(), "x-ms-version is required");
        String goal = get("/machine/?comp=goalstate", "x-ms-version", "2012-11-30").body();
        String container = between(goal, "<ContainerId>", "</ContainerId>");
        String instance = between(goal, "<InstanceId>", "</InstanceId>");
        String report = "<Health><GoalStateIncarnation>1</GoalStateIncarnation><Container><ContainerId>" + container
                + "</ContainerId><RoleInstanceList><Role><InstanceId>" + instance
                + "</InstanceId><Health><State>Ready</State></Health></Role></RoleInstanceList></Container></Health>";
        assertEquals(200, post("/machine?comp=health", report).statusCode());
        assertEquals(400, post("/machine?comp=health", report.replace(instance, "someone-else")).statusCode());
        assertEquals(400, post("/machine?comp=health", report.replace("Ready", "NotReady")).statusCode());
    }

    private void start(String provider) throws IOException {
        emulator = Emulator.start(provider, new InetSocketAddress("127.0.0.1", 0), Scenario.sample(provider));
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(emulator.url().resolve(path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(emulator.url().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("x-ms-version", "2012-11-30").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start) + start.length();
        return text.substring(from, text.indexOf(end, from));
    }
}
