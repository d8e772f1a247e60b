package dev.bootsecrets.cloud.gcp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Emulated;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The default service account's access token from the emulated metadata server. */
class GcpAccessTokenTest {
    @RegisterExtension
    final Emulated cloud = new Emulated();

    @Test
    void theTokenComesWithTheFlavorHeaderAndAnExpiry() throws Exception {
        cloud.start("gcp", Scenario.sample("gcp"));

        GcpAccessToken token = GcpAccessToken.fetch(cloud.emulator().url(), cloud.http(), Emulated.seconds(10),
                GcpAccessToken.CLOUD_PLATFORM);

        assertTrue(token.token().utf8().startsWith("ya29."));
        assertTrue(token.bearer().startsWith("Bearer ya29."));
        assertTrue(token.expiresAt().isAfter(Instant.now().plus(Duration.ofMinutes(50))));
        assertFalse(token.expiresWithin(Duration.ofMinutes(5), Instant.now()));
        assertFalse(token.toString().contains(token.token().utf8()), token.toString());
        assertTrue(cloud.emulator().log().requests().getLast().headers().contains("metadata-flavor"));
    }
}
