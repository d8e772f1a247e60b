package dev.bootsecrets.cloud.nocloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.cloud.GatherRequest;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.Deadline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seeds laid out like cloud-init's NoCloud, read under a temporary root. */
class NoCloudProviderTest {
    static final String A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL3it1i0oSFeZOKMcnkmDnQbpe1nuFkKbbdIIn0XStk0 a@x";
    static final String B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOJuyti7XAL2phsgw0fSmi7rXiNsQOJyaOGHncLzwcFp b@x";

    @TempDir
    Path dir;

    @Test
    void metaDataAndUserData() throws Exception {
        seed("instance-id: iid-01\nlocal-hostname: laptop\npublic-keys:\n  - " + A + "\n", "#cloud-config\n{}\n");
        InstanceMetadata m = gather();
        assertEquals("nocloud", m.provider());
        assertEquals("iid-01", m.instanceId());
        assertEquals("laptop", m.hostname());
        assertEquals(Map.of(InstanceMetadata.DEFAULT_USER, List.of(A)), m.sshKeys());
        assertEquals("#cloud-config\n{}\n", new String(m.userData().orElseThrow(), StandardCharsets.UTF_8));
    }

    @Test
    void publicKeysAsOneStringOrAMappingAsCloudInitAllows() throws Exception {
        seed("instance-id: x\npublic-keys: |\n  " + A + "\n  # a comment\n  " + B + "\n", null);
        assertEquals(List.of(A, B), gather().sshKeys().get(InstanceMetadata.DEFAULT_USER));
        seed("instance-id: x\npublic-keys:\n  laptop: " + A + "\n  more: [\"" + B + "\"]\n", null);
        InstanceMetadata m = gather();
        assertEquals(List.of(A, B), m.sshKeys().get(InstanceMetadata.DEFAULT_USER));
        assertTrue(m.userData().isEmpty());
    }

    @Test
    void anEmptyMetaDataIsFine() throws Exception {
        seed("", null);
        assertEquals(Map.of(), gather().sshKeys());
    }

    @Test
    void noSeedOrABadOneIsAnErrorNamingTheFile() throws Exception {
        var missing = assertThrows(MetadataException.class, this::gather);
        assertTrue(missing.getMessage().startsWith("/seed/meta-data:"), missing.getMessage());
        seed("public-keys: 42\n", null);
        var bad = assertThrows(MetadataException.class, this::gather);
        assertTrue(bad.getMessage().contains("public-keys"), bad.getMessage());
        seed("a: [\n", null);
        assertTrue(assertThrows(MetadataException.class, this::gather).getMessage().contains("not valid YAML"));
    }

    @Test
    void aDuplicateKeyOfMetaDataIsRefusedOnlyWhereItIsRead() throws Exception {
        seed("instance-id: i-1\nplacement: {zone: a}\nplacement: {zone: b}\n", null);
        assertEquals("i-1", gather().instanceId());
        seed("instance-id: i-1\ninstance-id: i-2\n", null);
        var twice = assertThrows(MetadataException.class, this::gather);
        assertTrue(twice.getMessage().contains("line 2, column 1: duplicate key instance-id: bootsecrets reads it"),
                twice.getMessage());
    }

    private InstanceMetadata gather() throws Exception {
        try (TargetRoot root = TargetRoot.open(dir)) {
            return new NoCloudProvider(root, "/seed").gather(
                    new GatherRequest(Deadline.in(Duration.ofSeconds(5)), Set.of(), false));
        }
    }

    private void seed(String metaData, String userData) throws IOException {
        Path seed = Files.createDirectories(dir.resolve("seed"));
        Files.writeString(seed.resolve("meta-data"), metaData);
        Files.deleteIfExists(seed.resolve("user-data"));
        if (userData != null) {
            Files.writeString(seed.resolve("user-data"), userData);
        }
    }
}
