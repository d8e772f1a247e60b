package dev.bootsecrets.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the kernel command line tells the agent. */
class BootParametersTest {

    @Test
    void providerAndSeedAmongOtherParameters() {
        BootParameters p = BootParameters.parse(
                "BOOT_IMAGE=(hd0,gpt3)/vmlinuz root=UUID=ab ro bootsecrets.provider=gcp bootsecrets.seed=/srv/seed/ quiet\n");
        assertEquals(Optional.of("gcp"), p.provider());
        assertEquals(Optional.of("/srv/seed"), p.seed());
    }

    @Test
    void cloudInitsNoCloudFormMeansNoCloudWithThatSeed() {
        BootParameters p = BootParameters.parse("ro \"ds=nocloud;s=file:///var/seed/\" console=ttyS0");
        assertEquals(Optional.of("nocloud"), p.provider());
        assertEquals(Optional.of("/var/seed"), p.seed());
        assertEquals(Optional.of("/seed"), BootParameters.parse("ds=nocloud;seedfrom=/seed/").seed());
    }

    @Test
    void ourOwnParametersWinOverCloudInits() {
        BootParameters p = BootParameters.parse("ds=nocloud;s=file:///a/ bootsecrets.provider=azure bootsecrets.seed=/b");
        assertEquals(Optional.of("azure"), p.provider());
        assertEquals(Optional.of("/b"), p.seed());
    }

    @Test
    void aNetworkSeedIsNotAProvider() {
        BootParameters p = BootParameters.parse("ds=nocloud-net;s=http://10.0.0.1/seed/");
        assertTrue(p.provider().isEmpty());
        assertTrue(p.seed().isEmpty());
    }

    @Test
    void theLastOfARepeatedParameterCounts() {
        assertEquals(Optional.of("aws"), BootParameters.parse("bootsecrets.provider=gcp bootsecrets.provider=aws").provider());
    }

    @Test
    void aSeedThatIsNotAPlainAbsolutePathIsAnError() {
        var e = assertThrows(IllegalArgumentException.class, () -> BootParameters.parse("bootsecrets.seed=/srv/../etc"));
        assertTrue(e.getMessage().contains("bootsecrets.seed"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BootParameters.parse("bootsecrets.seed=relative/dir"));
    }

    @Test
    void aMissingFileIsNoParameters() {
        assertEquals(BootParameters.NONE, BootParameters.read(Path.of("/nonexistent/cmdline")));
        assertFalse(BootParameters.parse("").provider().isPresent());
    }
}
