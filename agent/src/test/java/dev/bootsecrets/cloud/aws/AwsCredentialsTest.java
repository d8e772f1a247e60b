package dev.bootsecrets.cloud.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.RequestLog;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The role's credentials from the emulated IMDSv2. */
class AwsCredentialsTest {
    private static final Scenario SAMPLE = Scenario.sample("aws");
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
    void theRoleCredentialsAndRegionComeFromImdsWithAToken() throws Exception {
        start(SAMPLE.aws());

        AwsCredentials credentials = fetch();

        assertTrue(credentials.accessKeyId().startsWith("ASIA"), credentials.accessKeyId());
        assertEquals(40, credentials.secretAccessKey().length());
        assertFalse(credentials.sessionToken().isEmpty());
        assertEquals("us-east-1", credentials.region());
        assertTrue(credentials.expiration().isAfter(Instant.now().plus(Duration.ofHours(5))));
        assertFalse(credentials.expiresWithin(Duration.ofMinutes(5), Instant.now()));
        assertTrue(credentials.expiresWithin(Duration.ofHours(7), Instant.now()));
        assertFalse(credentials.toString().contains(credentials.secretAccessKey().utf8()), credentials.toString());
        assertFalse(credentials.toString().contains(credentials.sessionToken().utf8()));
        for (RequestLog.Entry entry : emulator.log().requests()) {
            if (entry.method().equals("GET")) {
                assertTrue(entry.headers().contains("x-aws-ec2-metadata-token"), entry.path());
            }
        }
        assertEquals("eu-west-1", credentials.inRegion("eu-west-1").region());
    }

    @Test
    void anInstanceWithoutARoleIsToldSo() throws Exception {
        start(new Scenario.Aws(false, true, "", 0));

        MetadataException e = assertThrows(MetadataException.class, this::fetch);

        assertTrue(e.getMessage().contains("iam/security-credentials/"), e.getMessage());
        assertTrue(e.getMessage().contains("no IAM role is attached"), e.getMessage());
    }

    private AwsCredentials fetch() throws MetadataException {
        return AwsCredentials.fromImds(emulator.url(), false, http, Deadline.in(Duration.ofSeconds(10)));
    }

    private void start(Scenario.Aws aws) throws Exception {
        Scenario s = SAMPLE;
        emulator = Emulator.start("aws", new InetSocketAddress("127.0.0.1", 0), new Scenario(s.instanceId(), s.hostname(),
                s.region(), s.zone(), s.sshKeys(), s.attributes(), s.userData(), aws, s.faults(), s.gcp(), s.azure()));
    }
}
