package dev.bootsecrets.cloud.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.secret.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry token cache: kept until shortly before expiry, and only what root wrote. */
class TokenCacheTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final RegistryHost GAR = RegistryHost.of("us-docker.pkg.dev").orElseThrow();

    @TempDir
    Path dir;

    @Test
    void aTokenIsServedUntilFiveMinutesBeforeItExpires() throws Exception {
        try (TargetRoot root = TargetRoot.open(dir)) {
            new TokenCache(root, at(NOW)).put(GAR, new RegistryToken("oauth2accesstoken", Secret.ofUtf8("ya29.t"),
                    NOW.plusSeconds(3600)));

            assertEquals("ya29.t", new TokenCache(root, at(NOW.plusSeconds(3000))).get(GAR).orElseThrow().secret().utf8());
            assertTrue(new TokenCache(root, at(NOW.plusSeconds(3301))).get(GAR).isEmpty());
        }
        Path file = dir.resolve("run/bootsecrets/registry-tokens/us-docker.pkg.dev");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void aFileThatIsNotACachedTokenIsIgnoredAndReplaced() throws Exception {
        Path file = dir.resolve("run/bootsecrets/registry-tokens/us-docker.pkg.dev");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{not json, secret-looking-content");
        try (TargetRoot root = TargetRoot.open(dir)) {
            TokenCache cache = new TokenCache(root, at(NOW));
            assertTrue(cache.get(GAR).isEmpty());
            cache.put(GAR, new RegistryToken("oauth2accesstoken", Secret.ofUtf8("ya29.new"), NOW.plusSeconds(3600)));
            assertEquals("ya29.new", cache.get(GAR).orElseThrow().secret().utf8());
        }
        assertFalse(Files.readString(file).contains("secret-looking"));
    }

    @Test
    void aSymlinkPlantedForTheCacheFileIsNotFollowed() throws Exception {
        Path elsewhere = Files.writeString(dir.resolve("elsewhere"), "keep");
        Path file = dir.resolve("run/bootsecrets/registry-tokens/us-docker.pkg.dev");
        Files.createDirectories(file.getParent());
        Files.createSymbolicLink(file, elsewhere);
        try (TargetRoot root = TargetRoot.open(dir)) {
            TokenCache cache = new TokenCache(root, at(NOW));
            cache.put(GAR, new RegistryToken("oauth2accesstoken", Secret.ofUtf8("ya29.t"), NOW.plusSeconds(3600)));
        }
        assertEquals("keep", Files.readString(elsewhere));
    }

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }
}
