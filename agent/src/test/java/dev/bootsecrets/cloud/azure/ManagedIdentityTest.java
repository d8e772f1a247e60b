package dev.bootsecrets.cloud.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Emulated;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The managed identity's token for a resource, from the emulated IMDS. */
class ManagedIdentityTest {
    private static final Scenario SAMPLE = Scenario.sample("azure");

    @RegisterExtension
    final Emulated cloud = new Emulated();

    @Test
    void aTokenForKeyVaultNamesThatResource() throws Exception {
        cloud.start("azure", SAMPLE);

        ManagedIdentity identity = fetch().orElseThrow();

        String payload = new String(Base64.getUrlDecoder().decode(identity.token().utf8().split("\\.")[1]));
        assertEquals(ManagedIdentity.KEY_VAULT, new ObjectMapper().readTree(payload).path("aud").asText());
        assertTrue(identity.expiresAt().isAfter(Instant.now().plus(Duration.ofHours(1))));
        assertTrue(identity.bearer().startsWith("Bearer ey"));
        assertFalse(identity.toString().contains(identity.token().utf8()));
    }

    @Test
    void aVmWithoutAManagedIdentityGetsNone() throws Exception {
        Scenario.Azure s = SAMPLE.azure();
        cloud.start("azure", SAMPLE.withAzure(new Scenario.Azure(s.adminUsername(), s.subscriptionId(), s.resourceGroup(), false)));

        assertEquals(Optional.empty(), fetch());
    }

    private Optional<ManagedIdentity> fetch() throws Exception {
        return ManagedIdentity.fetch(cloud.emulator().url(), ManagedIdentity.KEY_VAULT, cloud.http(), Emulated.seconds(10));
    }
}
