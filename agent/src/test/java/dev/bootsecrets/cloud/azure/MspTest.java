package dev.bootsecrets.cloud.azure;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.http.Response;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Only the Guest Proxy Agent's own refusal is named MSP; IMDS's 403s and forwarded answers are not. */
class MspTest {
    static final String IMDS = "http://169.254.169.254/metadata/instance";

    @Test
    void anEmpty403WithoutTheProxysHeaderIsMsp() {
        MetadataException e = assertThrows(MetadataException.class,
                () -> Msp.check(new Response(403, Map.of(), new byte[0]), IMDS, "IMDS"));
        assertTrue(e.invalidContent(), "a configuration to fix, not an outage");
        assertTrue(e.getMessage().contains("not on the VM's allow-list for IMDS"), e.getMessage());
        assertTrue(e.getMessage().contains("exePath /usr/bin/bootsecrets and userName root"), e.getMessage());
    }

    @Test
    void anUnidentifiedCallerIsMspToo() {
        MetadataException e = assertThrows(MetadataException.class,
                () -> Msp.check(new Response(421, Map.of(), new byte[0]), IMDS, "the wireserver"));
        assertTrue(e.getMessage().contains("could not tell which process asked the wireserver"), e.getMessage());
    }

    @Test
    void imdsOwnRefusalsAndForwardedAnswersAreNot() {
        byte[] json = "{\"error\":\"Forbidden\"}".getBytes(StandardCharsets.UTF_8);
        assertDoesNotThrow(() -> Msp.check(new Response(403, Map.of(), json), IMDS, "IMDS"));
        assertDoesNotThrow(() -> Msp.check(new Response(403, Map.of(Msp.FORWARDED, "value"), new byte[0]), IMDS, "IMDS"));
        assertDoesNotThrow(() -> Msp.check(new Response(503, Map.of(), new byte[0]), IMDS, "IMDS"));
    }
}
