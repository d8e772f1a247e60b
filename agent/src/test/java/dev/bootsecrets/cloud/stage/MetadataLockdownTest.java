package dev.bootsecrets.cloud.stage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The rule set's text; cli/MetadataLockdownNetnsTest installs it for real and sends requests through it. */
class MetadataLockdownTest {
    @Test
    void everyMetadataAddressIsForRootAndTheGroupOnly() {
        String rules = MetadataLockdown.ruleset("aws", OptionalInt.of(4242), false);
        assertTrue(rules.startsWith("add table inet bootsecrets\ndelete table inet bootsecrets\n"), rules);
        assertTrue(rules.contains("ip daddr 169.254.169.254 jump metadata"), rules);
        assertTrue(rules.contains("ip6 daddr { fd00:ec2::254, fd20:ce::254 } jump metadata"), rules);
        assertTrue(rules.contains("type filter hook forward priority 0;"), "containers are filtered too: " + rules);
        assertTrue(rules.contains("ip daddr 169.254.169.254 jump refused"), rules);
        assertTrue(rules.contains("ct state established,related accept\n        meta skuid 0 accept\n"
                + "        meta skgid 4242 accept\n"), rules);
        assertFalse(rules.contains("168.63.129.16"), "the wireserver only on Azure");
    }

    @Test
    void onAzureTheWireserverTooButNotItsDns() {
        String rules = MetadataLockdown.ruleset("azure", OptionalInt.empty(), false);
        assertTrue(rules.contains("ip daddr 168.63.129.16 tcp dport != 53 jump metadata"), rules);
        assertFalse(rules.contains("skgid"), rules);
        assertTrue(rules.contains("ip daddr 168.63.129.16 tcp dport != 53 jump refused"), rules);
    }

    @Test
    void containersMayBeLetThrough() {
        String rules = MetadataLockdown.ruleset("gcp", OptionalInt.empty(), true);
        assertFalse(rules.contains("hook forward"), rules);
        assertTrue(rules.contains("meta skuid 0 accept"), rules);
    }
}
