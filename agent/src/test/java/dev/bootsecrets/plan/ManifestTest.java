package dev.bootsecrets.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.fs.TargetRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record of what bootsecrets made: /run outputs in /run, the others in /var, read back as written. */
class ManifestTest {
    @TempDir
    Path dir;

    static final Manifest.Entry AUTH = new Manifest.Entry("/run/ostree/auth.json", "registry-auth", true,
            List.of("auths/quay.io/org", "credHelpers/ghcr.io"), List.of("auths/etc.example"));
    static final Manifest.Entry SSH = new Manifest.Entry("/var/home/core/.ssh/authorized_keys", "ssh", false, List.of("core"), List.of());
    static final Manifest.Entry FILE = new Manifest.Entry("/etc/myapp/api.key", "file", true, List.of(), List.of());

    @Test
    void eachEntryGoesToTheManifestOfItsPlaceAndComesBack() throws Exception {
        try (TargetRoot root = TargetRoot.open(dir)) {
            new Manifest(List.of(AUTH, SSH, FILE)).write(root);
            List<String> warnings = new ArrayList<>();
            assertEquals(List.of(AUTH, SSH, FILE), Manifest.read(root, warnings).entries());
            assertEquals(List.of(), warnings);
        }
        String run = Files.readString(dir.resolve("run/bootsecrets/manifest.json"));
        assertTrue(run.contains("/run/ostree/auth.json") && !run.contains("/etc/myapp"), run);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("var/lib/bootsecrets/manifest.json"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("var/lib/bootsecrets"))));
    }

    @Test
    void anEmptyManifestIsWrittenOnlyToEmptyAnOldOne() throws Exception {
        try (TargetRoot root = TargetRoot.open(dir)) {
            new Manifest(List.of(FILE)).write(root);
            Manifest.empty().write(root);
        }
        assertFalse(Files.exists(dir.resolve("run/bootsecrets/manifest.json")));
        assertEquals("{\n  \"version\" : 1,\n  \"outputs\" : [ ]\n}", Files.readString(dir.resolve("var/lib/bootsecrets/manifest.json")));
    }

    @Test
    void aManifestThatCannotBeReadRemovesNothing() throws Exception {
        Files.createDirectories(dir.resolve("run/bootsecrets"));
        Files.writeString(dir.resolve("run/bootsecrets/manifest.json"), "{\"version\": 1, \"outputs\": [{\"kind\": \"file\"}]}");
        Files.createDirectories(dir.resolve("var/lib/bootsecrets"));
        Files.writeString(dir.resolve("var/lib/bootsecrets/manifest.json"), "not json");
        try (TargetRoot root = TargetRoot.open(dir)) {
            List<String> warnings = new ArrayList<>();
            assertEquals(List.of(), Manifest.read(root, warnings).entries());
            assertEquals(List.of(
                    "/run/bootsecrets/manifest.json: has an output without path or kind; nothing it lists will be removed this run",
                    "/var/lib/bootsecrets/manifest.json: is not valid JSON; nothing it lists will be removed this run"), warnings);
        }
    }
}
