package dev.bootsecrets.cloud.aws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.cloud.GatherRequest;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.RequestLog;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The provider against the emulator serving the built-in sample scenario. */
class AwsProviderTest {
    private static final Settings.Aws IMDSV2_ONLY = new Settings.Aws(false, false);
    private static final Scenario SAMPLE = Scenario.sample("aws");

    private final MetadataHttp http = MetadataHttp.create();
    private Emulator emulator;

    @AfterEach
    void stop() {
        Log.configure(System.err, false);
        http.close();
        if (emulator != null) {
            emulator.close();
        }
    }

    @Test
    void aFullGatherReturnsWhatTheScenarioHolds() throws Exception {
        start(SAMPLE);

        InstanceMetadata metadata = provider(IMDSV2_ONLY).gather(request(Set.of("registry-token"), true));

        assertEquals("aws", metadata.provider());
        assertEquals("i-0123456789abcdef0", metadata.instanceId());
        assertEquals("ip-10-0-0-12.ec2.internal", metadata.hostname());
        assertEquals("us-east-1", metadata.region());
        assertEquals("us-east-1a", metadata.zone());
        assertEquals(SAMPLE.sshKeys().stream().map(Scenario.SshKey::publicKey).toList(),
                metadata.sshKeys().get(InstanceMetadata.DEFAULT_USER));
        assertArrayEquals(SAMPLE.userData().orElseThrow(), metadata.userData().orElseThrow());
        assertEquals("demo-registry-token-0001", metadata.attributes().get("registry-token").utf8());
        assertTrue(metadata.identity().orElseThrow().length() > 0);
    }

    @Test
    void aPlainGatherIsOneTokenPutAndEightGets() throws Exception {
        start(SAMPLE);
        var logged = new ByteArrayOutputStream();
        Log.configure(new PrintStream(logged, true, StandardCharsets.UTF_8), true);

        provider(IMDSV2_ONLY).gather(request(Set.of(), false));

        List<RequestLog.Entry> log = emulator.log().requests();
        assertEquals(9, log.size(), paths(log).toString());
        assertEquals(new RequestLog.Entry("PUT", "/latest/api/token", 200, log.getFirst().headers()), log.getFirst());
        assertEquals(Set.of(
                "/latest/meta-data/instance-id",
                "/latest/meta-data/hostname",
                "/latest/meta-data/placement/region",
                "/latest/meta-data/placement/availability-zone",
                "/latest/meta-data/public-keys/",
                "/latest/meta-data/public-keys/0/openssh-key",
                "/latest/meta-data/public-keys/1/openssh-key",
                "/latest/user-data"), Set.copyOf(paths(log.subList(1, 9))));
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("<6>aws: 9 requests in "), logged.toString());
    }

    @Test
    void everyGetCarriesTheTokenFromThePut() throws Exception {
        start(SAMPLE);

        provider(IMDSV2_ONLY).gather(request(Set.of(), false));

        List<RequestLog.Entry> log = emulator.log().requests();
        assertTrue(log.getFirst().headers().contains("x-aws-ec2-metadata-token-ttl-seconds"));
        for (RequestLog.Entry entry : log.subList(1, log.size())) {
            assertEquals("GET", entry.method());
            assertEquals(200, entry.status(), entry.path()); // the emulator answers 200 only to a valid token
            assertTrue(entry.headers().contains("x-aws-ec2-metadata-token"), entry.path());
        }
    }

    @Test
    void anExpiredTokenIsRenewedOnceAndTheRunSucceeds() throws Exception {
        start(SAMPLE);
        emulator.faults().expireTokensAfter(2); // the PUT and the first GET still see a valid token

        InstanceMetadata metadata = provider(IMDSV2_ONLY).gather(request(Set.of(), false));

        assertEquals("i-0123456789abcdef0", metadata.instanceId());
        assertEquals(2, metadata.sshKeys().get(InstanceMetadata.DEFAULT_USER).size());
        List<RequestLog.Entry> log = emulator.log().requests();
        assertEquals(2, log.stream().filter(e -> e.method().equals("PUT")).count(), paths(log).toString());
        assertTrue(log.stream().anyMatch(e -> e.status() == 401));
    }

    @Test
    void theFirstRequestsFailingWith503IsWaitedOut() throws Exception {
        start(SAMPLE);
        emulator.faults().failNext(3);

        InstanceMetadata metadata = provider(IMDSV2_ONLY).gather(request(Set.of(), false));

        assertEquals("us-east-1", metadata.region());
        assertEquals(3, emulator.log().requests().stream().filter(e -> e.status() == 503).count());
    }

    @Test
    void droppedConnectionsAreRetried() throws Exception {
        start(SAMPLE);
        emulator.faults().dropNext(3);

        InstanceMetadata metadata = provider(IMDSV2_ONLY).gather(request(Set.of(), false));

        assertEquals("ip-10-0-0-12.ec2.internal", metadata.hostname());
        assertEquals(3, emulator.log().requests().stream().filter(e -> e.status() == RequestLog.DROPPED).count());
    }

    @Test
    void aServiceSlowerThanTheDeadlineFailsNamingTheEndpoint() throws Exception {
        start(SAMPLE);
        emulator.faults().delay(Duration.ofSeconds(30));
        var request = new GatherRequest(Deadline.in(Duration.ofSeconds(1)), Set.of(), false);

        var e = assertThrows(MetadataException.class, () -> provider(IMDSV2_ONLY).gather(request));

        assertEquals(emulator.url() + "/latest/api/token", e.endpoint());
        assertTrue(e.getMessage().startsWith(emulator.url() + "/latest/api/token: no answer before the deadline"),
                e.getMessage());
    }

    @Test
    void noUserDataIsEmptyNotAnError() throws Exception {
        start(scenario(SAMPLE.aws(), Optional.empty()));

        InstanceMetadata metadata = provider(IMDSV2_ONLY).gather(request(Set.of(), false));

        assertTrue(metadata.userData().isEmpty());
        assertTrue(emulator.log().requests().stream().anyMatch(e -> e.path().equals("/latest/user-data") && e.status() == 404));
    }

    @Test
    void imdsv1IsUsedOnlyWhenTheSettingsAllowIt() throws Exception {
        start(scenario(new Scenario.Aws(true, false), SAMPLE.userData())); // an IMDSv1-only service

        var refused = assertThrows(MetadataException.class, () -> provider(IMDSV2_ONLY).gather(request(Set.of(), false)));
        assertEquals(emulator.url() + "/latest/api/token", refused.endpoint());
        assertTrue(refused.getMessage().contains("HTTP 404") && refused.getMessage().contains("IMDSv1 fallback is off"),
                refused.getMessage());
        assertEquals(1, emulator.log().count()); // nothing read without a token

        InstanceMetadata metadata = provider(new Settings.Aws(true, false)).gather(request(Set.of(), false));
        assertEquals("i-0123456789abcdef0", metadata.instanceId());
        assertTrue(emulator.log().requests().stream()
                .filter(e -> e.method().equals("GET"))
                .noneMatch(e -> e.headers().contains("x-aws-ec2-metadata-token")));
    }

    @Test
    void tokenIsUsedEvenWhenImdsv1IsAllowed() throws Exception {
        start(SAMPLE);

        provider(new Settings.Aws(true, false)).gather(request(Set.of(), false));

        assertTrue(emulator.log().requests().stream()
                .filter(e -> e.method().equals("GET"))
                .allMatch(e -> e.headers().contains("x-aws-ec2-metadata-token")));
    }

    @Test
    void tagsAndIdentityAreReadOnlyWhenAskedFor() throws Exception {
        start(SAMPLE);

        provider(IMDSV2_ONLY).gather(request(Set.of(), false));
        assertTrue(paths(emulator.log().requests()).stream().noneMatch(p -> p.contains("/tags/") || p.contains("/dynamic/")));

        emulator.log().clear();
        InstanceMetadata metadata = provider(IMDSV2_ONLY).gather(request(Set.of("registry-token", "absent-tag"), false));
        assertEquals(Set.of("registry-token"), metadata.attributes().keySet());
        assertTrue(metadata.identity().isEmpty());
        assertTrue(paths(emulator.log().requests()).containsAll(List.of(
                "/latest/meta-data/tags/instance/registry-token", "/latest/meta-data/tags/instance/absent-tag")));
    }

    private void start(Scenario scenario) throws IOException {
        emulator = Emulator.start("aws", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), scenario);
    }

    private AwsProvider provider(Settings.Aws settings) {
        return new AwsProvider(emulator.url(), settings, http);
    }

    private static GatherRequest request(Set<String> attributes, boolean identity) {
        return new GatherRequest(Deadline.in(Duration.ofSeconds(20)), attributes, identity);
    }

    private static Scenario scenario(Scenario.Aws aws, Optional<byte[]> userData) {
        Scenario s = SAMPLE;
        return new Scenario(s.instanceId(), s.hostname(), s.region(), s.zone(), s.sshKeys(), s.attributes(), userData, aws, s.faults());
    }

    private static List<String> paths(List<RequestLog.Entry> log) {
        return log.stream().map(RequestLog.Entry::path).toList();
    }
}
