package dev.bootsecrets.cloud.gcp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The default service account's access token from the emulated metadata server. */
class GcpAccessTokenTest {
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
    void theTokenComesWithTheFlavorHeaderAndAnExpiry() throws Exception {
        emulator = Emulator.start("gcp", new InetSocketAddress("127.0.0.1", 0), Scenario.sample("gcp"));

        GcpAccessToken token = GcpAccessToken.fetch(emulator.url(), http, Deadline.in(Duration.ofSeconds(10)),
                GcpAccessToken.CLOUD_PLATFORM);

        assertTrue(token.token().utf8().startsWith("ya29."));
        assertTrue(token.bearer().startsWith("Bearer ya29."));
        assertTrue(token.expiresAt().isAfter(Instant.now().plus(Duration.ofMinutes(50))));
        assertFalse(token.expiresWithin(Duration.ofMinutes(5), Instant.now()));
        assertFalse(token.toString().contains(token.token().utf8()), token.toString());
        assertTrue(emulator.log().requests().getLast().headers().contains("metadata-flavor"));
    }
}
