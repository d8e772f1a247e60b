package dev.bootsecrets.cloud.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The managed identity's token for a resource, from the emulated IMDS. */
class ManagedIdentityTest {
    private static final Scenario SAMPLE = Scenario.sample("azure");
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
    void aTokenForKeyVaultNamesThatResource() throws Exception {
        start(SAMPLE.azure());

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
        start(new Scenario.Azure(s.adminUsername(), s.subscriptionId(), s.resourceGroup(), false));

        assertEquals(Optional.empty(), fetch());
    }

    private Optional<ManagedIdentity> fetch() throws Exception {
        return ManagedIdentity.fetch(emulator.url(), ManagedIdentity.KEY_VAULT, http, Deadline.in(Duration.ofSeconds(10)));
    }

    private void start(Scenario.Azure azure) throws Exception {
        Scenario s = SAMPLE;
        emulator = Emulator.start("azure", new InetSocketAddress("127.0.0.1", 0), new Scenario(s.instanceId(), s.hostname(),
                s.region(), s.zone(), s.sshKeys(), s.attributes(), s.userData(), s.aws(), s.faults(), s.gcp(), azure));
    }
}
