package dev.bootsecrets.cloud.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.bootsecrets.cloud.GatherRequest;
import dev.bootsecrets.cloud.GatherRequest.IdentityKind;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.RequestLog;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider against the emulator serving the built-in Azure sample, into a temporary root. */
class AzureProviderTest {
    static final Scenario SAMPLE = Scenario.sample("azure");
    static final Settings.Azure REPORT = new Settings.Azure(Settings.ReadyReport.ON, "/run/ovf-env.xml", Optional.empty());

    @TempDir
    Path dir;

    private final MetadataHttp http = MetadataHttp.create();
    private Emulator emulator;
    private TargetRoot root;

    @BeforeEach
    void start() throws IOException {
        emulator = Emulator.start("azure", new InetSocketAddress("127.0.0.1", 0), SAMPLE);
        root = TargetRoot.open(dir);
    }

    @AfterEach
    void stop() {
        root.close();
        http.close();
        emulator.close();
    }

    @Test
    void oneImdsRequestGivesKeysByUserUserDataAndTags() throws Exception {
        AzureProvider provider = provider(REPORT);
        InstanceMetadata m = provider.gather(new GatherRequest(deadline(), Set.of("registry-token"), false));

        assertEquals("azure", m.provider());
        assertEquals(SAMPLE.instanceId(), m.instanceId());
        assertEquals("demo-vm", m.hostname());
        assertEquals("westeurope", m.region());
        assertEquals("1", m.zone());
        assertEquals(Set.of("core", "deploy"), m.sshKeys().keySet());
        assertEquals(List.of(key("ops")), m.sshKeys().get("core"), "admin user's key, without Azure's CRLF");
        assertEquals(List.of(key("deploy")), m.sshKeys().get("deploy"));
        assertArrayEquals(SAMPLE.userData().orElseThrow(), m.userData().orElseThrow());
        assertEquals("demo-registry-token-0001", m.attributes().get("registry-token").utf8());
        assertEquals(1, emulator.log().count());
        assertTrue(emulator.log().requests().getFirst().headers().contains("metadata"));

        assertEquals(Set.of(), provider.attributes(Set.of("absent"), deadline()).keySet());
        assertEquals(1, emulator.log().count(), "tags after a gather need no request");
    }

    @Test
    void theAttestedDocumentOnRequest() throws Exception {
        InstanceMetadata m = provider(REPORT).gather(request(true));
        assertFalse(m.identity().orElseThrow().utf8().isEmpty());
        assertEquals(2, emulator.log().count());
    }

    @Test
    void aJoinServiceGetsTheAttestedDocumentEvenWithItsUrlAsAudience() throws Exception {
        InstanceMetadata m = provider(REPORT).gather(
                new GatherRequest(deadline(), Set.of(), true, "https://join.example.com/v1/join", IdentityKind.DOCUMENT));
        JsonNode document = new ObjectMapper().readTree(Base64.getDecoder().decode(m.identity().orElseThrow().utf8()));
        assertEquals(SAMPLE.instanceId(), document.path("vmId").asText(), "the emulator's attested document");
        assertEquals(List.of("/metadata/attested/document", "/metadata/instance"), paths());
    }

    @Test
    void theManagedIdentityTokenIsAskedForTheResourceWithTheMetadataHeader() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        HttpServer imds = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        imds.createContext("/", exchange -> {
            try (exchange) {
                asked.add(exchange.getRequestURI().getRawPath() + "?" + exchange.getRequestURI().getRawQuery()
                        + " Metadata: " + exchange.getRequestHeaders().getFirst("Metadata"));
                byte[] body = (exchange.getRequestURI().getPath().equals("/metadata/instance")
                        ? "{\"compute\": {\"vmId\": \"vm-1\"}}"
                        : "{\"access_token\": \"eyJ0.token-value.sig\", \"expires_on\": \"1767225600\","
                                + " \"resource\": \"https://management.azure.com/\", \"token_type\": \"Bearer\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        imds.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + imds.getAddress().getPort());
            InstanceMetadata m = new AzureProvider(url, url, REPORT, root, http).gather(
                    new GatherRequest(deadline(), Set.of(), true, "https://management.azure.com/", IdentityKind.TOKEN));
            assertEquals("eyJ0.token-value.sig", m.identity().orElseThrow().utf8());
            assertTrue(asked.contains("/metadata/identity/oauth2/token?api-version=2018-02-01"
                    + "&resource=https%3A%2F%2Fmanagement.azure.com%2F Metadata: true"), asked.toString());
            assertEquals(2, asked.size(), "the instance and the token, no attested document");
        } finally {
            imds.stop(0);
        }
    }

    @Test
    void theEmulatedTokenNamesTheVmAndTheResource() throws Exception {
        InstanceMetadata m = provider(REPORT).gather(
                new GatherRequest(deadline(), Set.of(), true, "https://management.azure.com/", IdentityKind.TOKEN));
        JsonNode claims = new ObjectMapper().readTree(
                Base64.getUrlDecoder().decode(m.identity().orElseThrow().utf8().split("\\.")[1]));
        assertEquals("https://management.azure.com/", claims.path("aud").asText());
        assertTrue(claims.path("xms_mirid").asText().endsWith("/providers/Microsoft.Compute/virtualMachines/demo-vm"));
        assertEquals(List.of("/metadata/identity/oauth2/token", "/metadata/instance"), paths());
    }

    @Test
    void aVmWithoutManagedIdentityGivesNoTokenAndSaysWhy() throws Exception {
        emulator.close();
        emulator = Emulator.start("azure", new InetSocketAddress("127.0.0.1", 0), new Scenario(SAMPLE.instanceId(),
                SAMPLE.hostname(), SAMPLE.region(), SAMPLE.zone(), SAMPLE.sshKeys(), SAMPLE.attributes(), SAMPLE.userData(),
                SAMPLE.aws(), SAMPLE.faults(), SAMPLE.gcp(), new Scenario.Azure("core", "sub-1", "rg-1", false)));
        InstanceMetadata m = provider(REPORT).gather(
                new GatherRequest(deadline(), Set.of(), true, "https://management.azure.com/", IdentityKind.TOKEN));
        assertEquals(Optional.empty(), m.identity(), "the join that wanted it fails, not the gather");
        assertEquals(SAMPLE.instanceId(), m.instanceId());

        var e = assertThrows(MetadataException.class, () -> provider(REPORT).gather(
                new GatherRequest(deadline(), Set.of(), true, "", IdentityKind.TOKEN)));
        assertEquals(emulator.url() + "/metadata/identity/oauth2/token: an access token needs a resource (the audience)",
                e.getMessage());
    }

    @Test
    void readyIsReportedOnceForAnInstanceAndAgainForANewOne() throws Exception {
        AzureProvider provider = provider(REPORT);
        InstanceMetadata m = provider.gather(request(false));
        provider.reportReady(m, deadline());
        provider.reportReady(m, deadline());
        assertEquals(1, posts());
        assertEquals(SAMPLE.instanceId() + "\n", Files.readString(dir.resolve("var/lib/bootsecrets/azure-ready")));

        // a VM made from an image captured here is a new instance
        Files.writeString(dir.resolve("var/lib/bootsecrets/azure-ready"), "another-vm-id\n");
        provider.reportReady(m, deadline());
        assertEquals(2, posts());
    }

    @Test
    void autoLeavesTheReportToCloudInitUnlessItIsDisabled() throws Exception {
        Settings.Azure auto = new Settings.Azure(Settings.ReadyReport.AUTO, "/run/ovf-env.xml", Optional.empty());
        Files.createDirectories(dir.resolve("usr/bin"));
        Files.writeString(dir.resolve("usr/bin/cloud-init"), "");
        InstanceMetadata m = provider(auto).gather(request(false));
        provider(auto).reportReady(m, deadline());
        assertEquals(0, posts());

        Files.createDirectories(dir.resolve("etc/cloud"));
        Files.writeString(dir.resolve("etc/cloud/cloud-init.disabled"), "");
        provider(auto).reportReady(m, deadline());
        assertEquals(1, posts());
    }

    @Test
    void aFailedReportIsNotRemembered() throws Exception {
        InstanceMetadata m = provider(REPORT).gather(request(false));
        AzureProvider elsewhere = new AzureProvider(emulator.url(), emulator.url().resolve("/nothing-here/"), REPORT, root, http);
        var e = assertThrows(MetadataException.class, () -> elsewhere.reportReady(m, deadline()));
        assertTrue(e.getMessage().contains("goal state"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("var/lib/bootsecrets/azure-ready")));
    }

    @Test
    void theHealthReportNamesTheGoalStateAndEscapesWhatItCopies() {
        String xml = WireServer.health(new WireServer.GoalState("3", "c<1>", "r&1"));
        assertTrue(xml.contains("<GoalStateIncarnation>3</GoalStateIncarnation>"), xml);
        assertTrue(xml.contains("<ContainerId>c&lt;1&gt;</ContainerId>"), xml);
        assertTrue(xml.contains("<InstanceId>r&amp;1</InstanceId>"), xml);
        assertTrue(xml.contains("<State>Ready</State>"), xml);
    }

    @Test
    void xmlWithADoctypeIsRefusedSoNoEntityIsEverRead() throws Exception {
        Files.writeString(dir.resolve("secret"), "do not read me");
        String xxe = """
                <?xml version="1.0"?>
                <!DOCTYPE Environment [<!ENTITY leak SYSTEM "file://%s">]>
                <Environment><CustomData>&leak;</CustomData></Environment>
                """.formatted(dir.resolve("secret"));
        var e = assertThrows(IOException.class, () -> Xml.parse(xxe.getBytes(StandardCharsets.UTF_8), "ovf-env.xml"));
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
        assertFalse(e.getMessage().contains("do not read me"));
    }

    @Test
    void customDataFromTheProvisioningMedia() throws Exception {
        Files.createDirectories(dir.resolve("run"));
        Files.writeString(dir.resolve("run/ovf-env.xml"), """
                <Environment xmlns="http://schemas.dmtf.org/ovf/environment/1" xmlns:wa="http://schemas.microsoft.com/windowsazure">
                  <wa:ProvisioningSection><LinuxProvisioningConfigurationSet xmlns="http://schemas.microsoft.com/windowsazure">
                    <UserPassword>not-for-us</UserPassword>
                    <CustomData>I2Nsb3VkLWNvbmZpZwp7fQo=</CustomData>
                  </LinuxProvisioningConfigurationSet></wa:ProvisioningSection>
                </Environment>
                """);
        assertEquals("#cloud-config\n{}\n",
                new String(OvfEnv.customData(root, "/run/ovf-env.xml").orElseThrow(), StandardCharsets.UTF_8));
        assertTrue(OvfEnv.customData(root, "/run/absent.xml").isEmpty());
    }

    private AzureProvider provider(Settings.Azure settings) {
        return new AzureProvider(emulator.url(), emulator.url(), settings, root, http);
    }

    private List<String> paths() {
        return emulator.log().requests().stream().map(RequestLog.Entry::path).sorted().toList();
    }

    private long posts() {
        return emulator.log().requests().stream().filter(e -> e.method().equals("POST") && e.status() == 200).count();
    }

    private static String key(String name) {
        return SAMPLE.sshKeys().stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow().publicKey();
    }

    private static Deadline deadline() {
        return Deadline.in(Duration.ofSeconds(10));
    }

    private static GatherRequest request(boolean identity) {
        return new GatherRequest(deadline(), Set.of(), identity);
    }
}
