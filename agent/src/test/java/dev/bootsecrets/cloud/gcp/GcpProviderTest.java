package dev.bootsecrets.cloud.gcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.cloud.GatherRequest;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.RequestLog;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The provider against the emulator serving the built-in GCP sample. */
class GcpProviderTest {
    static final Scenario SAMPLE = Scenario.sample("gcp");
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);

    private final MetadataHttp http = MetadataHttp.create();
    private Emulator emulator;

    @AfterEach
    void stop() {
        http.close();
        if (emulator != null) {
            emulator.close();
        }
    }

    @Test
    void oneRequestGivesInstanceProjectKeysUserDataAndAttributes() throws Exception {
        start("gcp", SAMPLE);
        GcpProvider provider = provider();
        InstanceMetadata m = provider.gather(new GatherRequest(Deadline.in(Duration.ofSeconds(20)), Set.of("registry-token"), false, ""));

        assertEquals("gcp", m.provider());
        assertEquals("4520031799277581759", m.instanceId());
        assertEquals("demo-vm.us-central1-a.c.demo-project.internal", m.hostname());
        assertEquals("us-central1", m.region());
        assertEquals("us-central1-a", m.zone());
        assertEquals(Set.of("core", "deploy"), m.sshKeys().keySet());
        assertEquals(2, m.sshKeys().get("core").size(), "ops and the one that has not expired");
        assertArrayEquals(SAMPLE.userData().orElseThrow(), m.userData().orElseThrow());
        assertEquals("demo-registry-token-0001", m.attributes().get("registry-token").utf8());
        assertTrue(new String(m.section().orElseThrow().text(), StandardCharsets.UTF_8).contains("/etc/myapp/cloud"));

        List<RequestLog.Entry> log = emulator.log().requests();
        assertEquals(1, log.size());
        assertEquals("/computeMetadata/v1/", log.getFirst().path());
        assertTrue(log.getFirst().headers().contains("metadata-flavor"));

        assertEquals(Set.of("registry-token"), provider.attributes(Set.of("registry-token", "absent"),
                Deadline.in(Duration.ofSeconds(5))).keySet());
        assertEquals(1, emulator.log().count(), "attributes after a gather need no request");
    }

    @Test
    void projectAttributesGiveWayToTheInstances() throws Exception {
        start("gcp", new Scenario(SAMPLE.instanceId(), SAMPLE.hostname(), SAMPLE.region(), SAMPLE.zone(), List.of(),
                Map.of("color", "instance-colour-7f"), Optional.empty(), SAMPLE.aws(), SAMPLE.faults(),
                new Scenario.Gcp("p", Map.of("color", "project", "team", "ops")), SAMPLE.azure()));
        InstanceMetadata m = provider().gather(
                new GatherRequest(Deadline.in(Duration.ofSeconds(20)), Set.of("color", "team"), false, ""));
        assertEquals(Set.of("color", "team"), m.attributes().keySet(), "only the attributes asked for");
        assertEquals("instance-colour-7f", m.attributes().get("color").utf8());
        assertEquals("ops", m.attributes().get("team").utf8());
        assertTrue(m.userData().isEmpty());
        assertTrue(m.section().isEmpty());
    }

    @Test
    void base64UserDataIsDecodedWhenTheEncodingAttributeSaysSo() throws Exception {
        Map<String, String> attributes = new HashMap<>();
        attributes.put("user-data", Base64.getEncoder().encodeToString("#cloud-config\n{}\n".getBytes(StandardCharsets.UTF_8)));
        attributes.put("user-data-encoding", "base64");
        start("gcp", new Scenario(SAMPLE.instanceId(), SAMPLE.hostname(), SAMPLE.region(), SAMPLE.zone(), List.of(),
                attributes, Optional.empty(), SAMPLE.aws(), SAMPLE.faults(), SAMPLE.gcp(), SAMPLE.azure()));
        assertEquals("#cloud-config\n{}\n",
                new String(provider().gather(request(false, "")).userData().orElseThrow(), StandardCharsets.UTF_8));
    }

    @Test
    void theIdentityTokenNamesTheAudience() throws Exception {
        start("gcp", SAMPLE);
        InstanceMetadata m = provider().gather(request(true, "https://join.example.com/v1"));

        String[] jwt = m.identity().orElseThrow().utf8().split("\\.");
        assertEquals(3, jwt.length);
        JsonNode payload = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(jwt[1]));
        assertEquals("https://join.example.com/v1", payload.path("aud").asText());
        assertEquals(SAMPLE.instanceId(), payload.path("google").path("compute_engine").path("instance_id").asText());
        assertEquals(2, emulator.log().count());
    }

    @Test
    void anIdentityWithoutAnAudienceIsRefusedBeforeAnyRequest() throws Exception {
        start("gcp", SAMPLE);
        var e = assertThrows(MetadataException.class, () -> provider().gather(request(true, "")));
        assertTrue(e.getMessage().contains("audience"), e.getMessage());
        assertEquals(0, emulator.log().count());
    }

    @Test
    void anAnswerWithoutTheFlavorHeaderIsNotFromAGcpMetadataServer() throws Exception {
        start("aws", Scenario.sample("aws"));
        var e = assertThrows(MetadataException.class, () -> provider().gather(request(false, "")));
        assertTrue(e.getMessage().contains("/computeMetadata/v1/"), e.getMessage());
        assertTrue(e.getMessage().contains("not a GCP metadata server"), e.getMessage());
        assertFalse(e.getMessage().contains("recursive"), "no query in messages");
    }

    private void start(String provider, Scenario scenario) throws Exception {
        emulator = Emulator.start(provider, new InetSocketAddress("127.0.0.1", 0), scenario);
    }

    private GcpProvider provider() {
        return new GcpProvider(emulator.url(), http, CLOCK, false);
    }

    private static GatherRequest request(boolean identity, String audience) {
        return new GatherRequest(Deadline.in(Duration.ofSeconds(20)), Set.of(), identity, audience);
    }
}
