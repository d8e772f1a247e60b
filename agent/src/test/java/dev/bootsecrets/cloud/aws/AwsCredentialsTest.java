package dev.bootsecrets.cloud.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.emulator.RequestLog;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Emulated;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The role's credentials from the emulated IMDSv2. */
class AwsCredentialsTest {
    private static final Scenario SAMPLE = Scenario.sample("aws");

    @RegisterExtension
    final Emulated cloud = new Emulated();

    @Test
    void theRoleCredentialsAndRegionComeFromImdsWithAToken() throws Exception {
        cloud.start("aws", SAMPLE);

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
        for (RequestLog.Entry entry : cloud.emulator().log().requests()) {
            if (entry.method().equals("GET")) {
                assertTrue(entry.headers().contains("x-aws-ec2-metadata-token"), entry.path());
            }
        }
        assertEquals("eu-west-1", credentials.inRegion("eu-west-1").region());
    }

    @Test
    void anInstanceWithoutARoleIsToldSo() throws Exception {
        cloud.start("aws", SAMPLE.withAws(new Scenario.Aws(false, true, "", 0)));

        MetadataException e = assertThrows(MetadataException.class, this::fetch);

        assertTrue(e.getMessage().contains("iam/security-credentials/"), e.getMessage());
        assertTrue(e.getMessage().contains("no IAM role is attached"), e.getMessage());
    }

    private AwsCredentials fetch() throws MetadataException {
        return AwsCredentials.fromImds(cloud.emulator().url(), false, cloud.http(), Emulated.seconds(10));
    }
}
