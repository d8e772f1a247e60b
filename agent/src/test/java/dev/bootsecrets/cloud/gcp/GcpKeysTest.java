package dev.bootsecrets.cloud.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which ssh-keys lines count, for whom, at a fixed time. */
class GcpKeysTest {
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    static final String ED = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAuiDg/Ext81VkDNdpscEXGd0tVQJNJv2WhRB8K3jdDX";
    static final String EC = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBOvephFBwPbmfbxJbIwRtDCCRH6DJOOP5bAGhW9WZy+Qc2hgXWt2VDH16lKFsnf3ENd1qRC3u2Tx4buvzPDPZAI=";

    @Test
    void keysByUserWithExpiredOnesLeftOut() {
        String keys = String.join("\n",
                "alice:" + ED + " alice@laptop",
                "bob:" + EC + " google-ssh {\"userName\":\"bob@example.com\",\"expireOn\":\"2025-06-01T11:59:59+0000\"}",
                "bob:" + ED + " google-ssh {\"userName\":\"bob@example.com\",\"expireOn\":\"2025-06-01T12:00:01+0000\"}",
                "carol:" + EC + " google-ssh {\"userName\":\"carol@example.com\",\"expireOn\":\"2025-07-01T00:00:00Z\"}",
                "",
                "not a key line",
                "dave:" + ED + " google-ssh {\"userName\":\"dave@example.com\",\"expireOn\":\"next tuesday\"}");
        var byUser = GcpKeys.byUser(Map.of("ssh-keys", keys), Map.of(), NOW);
        assertEquals(Map.of(
                "alice", List.of(ED + " alice@laptop"),
                "bob", List.of(ED + " google-ssh {\"userName\":\"bob@example.com\",\"expireOn\":\"2025-06-01T12:00:01+0000\"}"),
                "carol", List.of(EC + " google-ssh {\"userName\":\"carol@example.com\",\"expireOn\":\"2025-07-01T00:00:00Z\"}")),
                byUser);
    }

    @Test
    void projectKeysUnlessBlockedOrShutOutByTheLegacyInstanceAttribute() {
        Map<String, String> project = Map.of("ssh-keys", "ops:" + ED, "sshKeys", "old:" + EC);
        assertEquals(Map.of("me", List.of(ED), "ops", List.of(ED), "old", List.of(EC)),
                GcpKeys.byUser(Map.of("ssh-keys", "me:" + ED), project, NOW));
        assertEquals(Map.of("me", List.of(ED)),
                GcpKeys.byUser(Map.of("ssh-keys", "me:" + ED, "block-project-ssh-keys", "True"), project, NOW));
        assertEquals(Map.of("me", List.of(ED), "legacy", List.of(EC)),
                GcpKeys.byUser(Map.of("ssh-keys", "me:" + ED, "sshKeys", "legacy:" + EC), project, NOW));
    }

    @Test
    void osLoginFromTheInstanceOrElseTheProject() {
        Map<String, String> instance = Map.of("ssh-keys", "me:" + ED);
        assertEquals(Map.of(), GcpKeys.byUser(instance, Map.of("enable-oslogin", "TRUE"), NOW));
        assertEquals(Map.of(), GcpKeys.byUser(Map.of("ssh-keys", "me:" + ED, "enable-oslogin", "true"), Map.of(), NOW));
        // the instance's FALSE overrides the project's TRUE
        assertEquals(Map.of("me", List.of(ED)), GcpKeys.byUser(
                Map.of("ssh-keys", "me:" + ED, "enable-oslogin", "FALSE"), Map.of("enable-oslogin", "TRUE"), NOW));
    }

    @Test
    void expiryForms() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        assertEquals(Optional.of(t), GcpKeys.parseExpiry("2026-01-01T00:00:00+0000"));
        assertEquals(Optional.of(t), GcpKeys.parseExpiry("2026-01-01T00:00:00Z"));
        assertEquals(Optional.of(t), GcpKeys.parseExpiry("2026-01-01T01:00:00+01:00"));
        assertEquals(Optional.empty(), GcpKeys.parseExpiry("2026-01-01"));
    }
}
