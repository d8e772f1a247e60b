package dev.bootsecrets.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The emulator talks IMDSv2 the way EC2 does; checked with the JDK's own client, not ours. */
class EmulatorTest {
    private static final String TTL = "X-aws-ec2-metadata-token-ttl-seconds";
    private static final String TOKEN = "X-aws-ec2-metadata-token";

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
    void aGetWithoutATokenIsUnauthorized() throws Exception {
        start(Scenario.sample("aws"));

        assertEquals(401, get("/latest/meta-data/instance-id", null).statusCode());
        assertEquals(401, get("/latest/meta-data/instance-id", "not-a-token").statusCode());
    }

    @Test
    void theTokenNeedsATtlFromOneSecondToSixHours() throws Exception {
        start(Scenario.sample("aws"));

        assertEquals(400, put(null).statusCode());
        for (String bad : List.of("0", "21601", "-5", "soon")) {
            assertEquals(400, put(bad).statusCode(), bad);
        }
        assertEquals(200, put("1").statusCode());
        assertEquals(200, put("21600").statusCode());
    }

    @Test
    void aTokenRequestThatCameThroughAProxyIsForbidden() throws Exception {
        start(Scenario.sample("aws"));

        var request = HttpRequest.newBuilder(emulator.url().resolve("/latest/api/token"))
                .PUT(HttpRequest.BodyPublishers.noBody()).header(TTL, "60").header("X-Forwarded-For", "10.0.0.9").build();

        assertEquals(403, client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void aTokenOpensTheMetadataUntilTokensExpire() throws Exception {
        start(Scenario.sample("aws"));
        String token = put("60").body();

        var answer = get("/latest/meta-data/instance-id", token);
        assertEquals(200, answer.statusCode());
        assertEquals("i-0123456789abcdef0", answer.body());
        assertEquals(405, client.send(HttpRequest.newBuilder(emulator.url().resolve("/latest/api/token"))
                .GET().header(TTL, "60").build(), HttpResponse.BodyHandlers.ofString()).statusCode());

        emulator.faults().expireTokens();
        assertEquals(401, get("/latest/meta-data/instance-id", token).statusCode());
        assertEquals(200, get("/latest/meta-data/instance-id", put("60").body()).statusCode());
    }

    @Test
    void theTokenAnswerEchoesItsTtlAsTheSdksExpect() throws Exception {
        start(Scenario.sample("aws"));

        assertEquals("3600", put("3600").headers().firstValue(TTL).orElseThrow());
    }

    @Test
    void datedVersionsServeTheSameTreeAsLatest() throws Exception {
        Scenario sample = Scenario.sample("aws");
        start(sample);
        String token = put("60").body();

        assertTrue(List.of(get("/", token).body().split("\n")).containsAll(List.of("2009-04-04", "2021-03-23", "latest")));
        assertEquals("i-0123456789abcdef0", get("/2021-03-23/meta-data/instance-id", token).body());
        assertEquals(new String(sample.userData().orElseThrow()), get("/2019-10-01/user-data", token).body());
        assertEquals("06:00:00:00:00:01/", get("/2021-03-23/meta-data/network/interfaces/macs/", token).body());
        assertEquals(401, get("/2021-03-23/meta-data/instance-id", null).statusCode());
        assertEquals(404, get("/1999-01-01/meta-data/instance-id", token).statusCode());
    }

    @Test
    void imdsv1ScenarioAnswersWithoutAToken() throws Exception {
        Scenario sample = Scenario.sample("aws");
        start(with(sample, new Scenario.Aws(true, true), sample.userData()));

        assertEquals("us-east-1a", get("/latest/meta-data/placement/availability-zone", null).body());
    }

    @Test
    void servesTheMetadataTree() throws Exception {
        Scenario sample = Scenario.sample("aws");
        start(sample);
        String token = put("60").body();

        List<String> root = List.of(get("/latest/meta-data/", token).body().split("\n"));
        assertTrue(root.containsAll(List.of("hostname", "instance-id", "local-hostname", "placement/", "public-keys/", "tags/")),
                root.toString());
        assertEquals("availability-zone\nregion", get("/latest/meta-data/placement/", token).body());
        assertEquals("0=ops\n1=deploy", get("/latest/meta-data/public-keys/", token).body());
        assertEquals("openssh-key", get("/latest/meta-data/public-keys/1/", token).body());
        assertEquals(sample.sshKeys().get(1).publicKey(), get("/latest/meta-data/public-keys/1/openssh-key", token).body().strip());
        assertEquals("registry-token", get("/latest/meta-data/tags/instance/", token).body());
        assertEquals("demo-registry-token-0001", get("/latest/meta-data/tags/instance/registry-token", token).body());
        assertEquals("ip-10-0-0-12.ec2.internal", get("/latest/meta-data/hostname", token).body());
        assertEquals(new String(sample.userData().orElseThrow()), get("/latest/user-data", token).body());
        assertTrue(get("/latest/dynamic/instance-identity/document", token).body().contains("\"instanceId\" : \"i-0123456789abcdef0\""));
        assertEquals(200, get("/latest/dynamic/instance-identity/pkcs7", token).statusCode());
        assertEquals(404, get("/latest/meta-data/no-such-thing", token).statusCode());
        assertEquals(404, get("/latest/meta-data/tags/instance/no-such-tag", token).statusCode());
    }

    @Test
    void userDataIsNotFoundWhenTheScenarioHasNone() throws Exception {
        Scenario sample = Scenario.sample("aws");
        start(with(sample, sample.aws(), Optional.empty()));

        assertEquals(404, get("/latest/user-data", put("60").body()).statusCode());
    }

    @Test
    void faultsFailAndDropRequestsAndTheLogShowsIt() throws Exception {
        start(Scenario.sample("aws"));
        emulator.faults().dropNext(1);
        emulator.faults().failNext(2);

        assertThrows(IOException.class, () -> put("60"));
        assertEquals(503, put("60").statusCode());
        assertEquals(503, put("60").statusCode());
        String token = put("60").body();
        get("/latest/meta-data/instance-id", token);

        var log = emulator.log().requests();
        assertEquals(List.of(RequestLog.DROPPED, 503, 503, 200, 200), log.stream().map(RequestLog.Entry::status).toList());
        assertEquals(new RequestLog.Entry("GET", "/latest/meta-data/instance-id", 200, log.get(4).headers()), log.get(4));
        assertTrue(log.get(4).headers().contains("x-aws-ec2-metadata-token"));
        assertFalse(log.toString().contains(token), "the log keeps header names, never values");
        emulator.log().clear();
        assertEquals(0, emulator.log().count());
    }

    @Test
    void unknownProviderIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Emulator.start("openstack", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Scenario.sample("aws")));
        assertTrue(e.getMessage().contains("openstack"));
    }

    static Scenario with(Scenario s, Scenario.Aws aws, Optional<byte[]> userData) {
        return new Scenario(s.instanceId(), s.hostname(), s.region(), s.zone(), s.sshKeys(), s.attributes(), userData, aws, s.faults());
    }

    private void start(Scenario scenario) throws IOException {
        emulator = Emulator.start("aws", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), scenario);
    }

    private HttpResponse<String> put(String ttl) throws Exception {
        var request = HttpRequest.newBuilder(emulator.url().resolve("/latest/api/token")).PUT(HttpRequest.BodyPublishers.noBody());
        if (ttl != null) {
            request.header(TTL, ttl);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        var request = HttpRequest.newBuilder(emulator.url().resolve(path)).GET();
        if (token != null) {
            request.header(TOKEN, token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

}
