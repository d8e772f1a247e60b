package dev.bootsecrets.join.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.Declarations.SecretDecl;
import dev.bootsecrets.config.JoinSettings;
import dev.bootsecrets.config.Origin;
import dev.bootsecrets.emulator.LocalCa;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.join.JoinException;
import dev.bootsecrets.join.Joined;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.testing.FakeVault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vault's gcp and azure logins, which need the identity a GCP or Azure provider gathers: the
 * providers are not in this tree, so the test hands VaultJoin the metadata such a provider
 * gives (docs/join.md, "What the join needs from the provider").
 */
class VaultCloudLoginTest {
    static final String VALUE = "cloud-login-kv-value-1a2b";

    @TempDir
    Path dir;

    FakeVault vault;
    TargetRoot root;

    @BeforeEach
    void start() throws Exception {
        LocalCa ca = LocalCa.create("test Vault CA");
        vault = FakeVault.start(ca);
        vault.putKv2("app/db", Map.of("password", VALUE));
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/vault-ca.pem"), ca.pem());
        root = TargetRoot.open(dir);
    }

    @AfterEach
    void stop() {
        vault.close();
        root.close();
    }

    Joined join(String method, InstanceMetadata metadata) throws JoinException {
        JoinSettings.Vault settings = new JoinSettings.Vault(vault.url(), Optional.of("/etc/vault-ca.pem"),
                new JoinSettings.CloudLogin(method, method, FakeVault.ROLE), Map.of(), Optional.empty(), Optional.empty());
        JoinSettings join = new JoinSettings(Duration.ofSeconds(5),
                new JoinSettings.Certificate("/etc/pki/bootsecrets", Optional.empty()), settings);
        Declarations declared = new Declarations(List.of(new SecretDecl("db",
                new Declarations.Source.FromVault("secret/app/db", "password"), Declarations.Encoding.NONE, 1024,
                Origin.file("/etc/bootsecrets/config.yaml", "secrets.db"))), List.of(), List.of());
        return VaultJoin.run(join, settings, declared, metadata, root);
    }

    static InstanceMetadata on(String provider, String identity) {
        return new InstanceMetadata(provider, "vm-1", "vm-1.internal", "region", "zone", Map.of(), Optional.empty(),
                Map.of(), Optional.of(Secret.ofUtf8(identity)));
    }

    static String jwt(String claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
    }

    @Test
    void gcpLogsInWithTheIdentityJwtAndTheRole() throws Exception {
        String token = jwt("{\"aud\":\"vault/web\",\"sub\":\"1234\"}");
        vault.acceptJwt("gcp", token);
        Joined joined = join("gcp", on("gcp", token));
        assertEquals(VALUE, joined.secrets().get("db").utf8());
        JsonNode body = new ObjectMapper().readTree(vault.calls("/v1/auth/gcp/login").getFirst().body());
        assertEquals("web", body.path("role").asText());
        assertTrue(vault.revoked(vault.tokens().iterator().next()));
    }

    @Test
    void azureSendsTheVmItReadsFromTheManagedIdentityToken() throws Exception {
        String token = jwt("{\"xms_mirid\":\"/subscriptions/sub-1/resourcegroups/rg-1/providers/Microsoft.Compute/virtualMachines/vm-1\"}");
        vault.acceptJwt("azure", token);
        Joined joined = join("azure", on("azure", token));
        assertEquals(VALUE, joined.secrets().get("db").utf8());
        JsonNode body = new ObjectMapper().readTree(vault.calls("/v1/auth/azure/login").getFirst().body());
        assertEquals("sub-1", body.path("subscription_id").asText());
        assertEquals("rg-1", body.path("resource_group_name").asText());
        assertEquals("vm-1", body.path("vm_name").asText());
    }

    @Test
    void azureRefusesATokenThatIsNotAVirtualMachines() {
        String token = jwt("{\"xms_mirid\":\"/subscriptions/s/resourcegroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u\"}");
        JoinException e = assertThrows(JoinException.class, () -> join("azure", on("azure", token)));
        assertTrue(e.getMessage().contains("not a virtual machine's system-assigned identity"), e.getMessage());
        assertTrue(vault.calls().isEmpty());
    }

    @Test
    void aCloudLoginOnAnotherCloudSaysSo() {
        JoinException e = assertThrows(JoinException.class, () -> join("gcp", InstanceMetadata.none()));
        assertEquals("join.vault.auth: method gcp needs the gcp instance identity, and this run has provider none", e.getMessage());
    }
}
