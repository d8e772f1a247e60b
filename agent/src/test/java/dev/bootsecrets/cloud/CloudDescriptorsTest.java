package dev.bootsecrets.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.cloud.stage.Providers;
import dev.bootsecrets.config.Config;
import dev.bootsecrets.config.ConfigLoader;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.JoinSettings;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every cloud's descriptor says everything the agent asks a cloud, and what config still names
 * by itself (the provider, the secret source kinds, Vault's logins) agrees with the descriptors.
 */
class CloudDescriptorsTest {
    private static final Set<String> NOT_OF_A_CLOUD = Set.of(Source.VALUE, Source.FILE, Source.METADATA, Source.JOIN, Source.VAULT);

    @TempDir
    Path root;

    @Test
    void everyCloudSuppliesEveryPieceAndItsNamesAreItsOwn() throws Exception {
        Set<String> names = new HashSet<>();
        Set<String> vendors = new HashSet<>();
        for (Cloud cloud : Providers.CLOUDS) {
            for (RecordComponent piece : Cloud.class.getRecordComponents()) {
                assertNotNull(piece.getAccessor().invoke(cloud), cloud.name() + " has no " + piece.getName());
            }
            assertTrue(cloud.name().matches("[a-z]{2,20}"), cloud.name());
            assertTrue(names.add(cloud.name()), "two clouds are called " + cloud.name());
            assertTrue(vendors.add(cloud.imdsdVendor()), "two clouds are systemd-imdsd's " + cloud.imdsdVendor());
            assertEquals("http", cloud.ipv4().getScheme(), cloud.name());
            assertFalse(cloud.sourceKinds().isEmpty(), cloud.name() + " reads no secrets manager");
            assertFalse(cloud.vault().noIdentity().isBlank(), cloud.name());
            assertEquals(Optional.of(cloud), Providers.named(cloud.name()));
        }
    }

    @Test
    void everySecretsManagerKindBelongsToExactlyOneCloud() {
        for (String kind : Source.KINDS) {
            long owners = Providers.CLOUDS.stream().filter(c -> c.sourceKinds().contains(kind)).count();
            assertEquals(NOT_OF_A_CLOUD.contains(kind) ? 0 : 1, owners, kind);
        }
        for (Cloud cloud : Providers.CLOUDS) {
            assertTrue(Source.KINDS.containsAll(cloud.sourceKinds()), cloud.name() + ": config does not read " + cloud.sourceKinds());
        }
    }

    @Test
    void configTakesEveryCloudAsProviderAndAsVaultLogin() throws Exception {
        Path file = root.resolve("etc/bootsecrets/config.yaml");
        Files.createDirectories(file.getParent());
        for (Cloud cloud : Providers.CLOUDS) {
            Files.writeString(file, "provider: " + cloud.name() + "\n"
                    + "join: {vault: {address: \"https://vault:8200\", auth: {method: " + cloud.name() + ", role: web}}}\n");
            Config config = ConfigLoader.load(root, Optional.empty());
            assertEquals(cloud.name(), config.settings().provider());
            JoinSettings.Vault vault = (JoinSettings.Vault) config.settings().join().orElseThrow().service();
            assertEquals(new JoinSettings.CloudLogin(cloud.name(), cloud.name(), "web"), vault.auth());
        }
    }
}
