package dev.bootsecrets.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.config.Declarations.FileDecl;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-provider settings under metadata:, and the section a cloud holds apart from user-data. */
class ProviderSettingsTest {
    @TempDir
    Path root;

    @Test
    void defaults() throws Exception {
        Settings s = load();
        assertEquals(Settings.ReadyReport.AUTO, s.azure().readyReport());
        assertEquals("/run/bootsecrets/azure-media/ovf-env.xml", s.azure().ovfEnv());
        assertEquals(Optional.empty(), s.azure().wireserver());
        assertEquals("/var/lib/bootsecrets/seed", s.nocloud().seed());
    }

    @Test
    void laterFilesWinKeyByKey() throws Exception {
        write("usr/lib/bootsecrets/config.d/10-image.yaml", """
                metadata:
                  azure: {readyReport: false, wireserver: "http://127.0.0.1:8080"}
                  nocloud: {seed: /srv/seed}
                """);
        write("etc/bootsecrets/config.yaml", "metadata: {azure: {ovfEnv: /mnt/media/ovf-env.xml}}\n");
        Settings s = load();
        assertEquals(Settings.ReadyReport.OFF, s.azure().readyReport());
        assertEquals("/mnt/media/ovf-env.xml", s.azure().ovfEnv());
        assertEquals(Optional.of(URI.create("http://127.0.0.1:8080")), s.azure().wireserver());
        assertEquals("/srv/seed", s.nocloud().seed());

        write("etc/bootsecrets/config.d/20.yaml", "metadata: {azure: {readyReport: auto}}\n");
        assertEquals(Settings.ReadyReport.AUTO, load().azure().readyReport());
    }

    @Test
    void mistakesNameTheirField() throws Exception {
        write("etc/bootsecrets/config.yaml", """
                metadata:
                  azure: {readyReport: sometimes, ovfEnv: relative/ovf-env.xml, wireserver: "ftp://x/", reportReady: true}
                  nocloud: {seed: /srv/../etc}
                """);
        String m = assertThrows(ConfigException.class, this::load).getMessage();
        for (String expected : List.of("metadata.azure.readyReport: must be true, false or auto",
                "metadata.azure.ovfEnv: is not an absolute file path", "metadata.azure.wireserver: must be an http",
                "metadata.azure.reportReady: unknown key", "metadata.nocloud.seed: is not an absolute file path")) {
            assertTrue(m.contains(expected), expected + " in " + m);
        }
    }

    @Test
    void lockdownIsOffUnlessConfigTurnsItOnAndLaterLayersWinKeyByKey() throws Exception {
        assertEquals(Lockdown.OFF, load().lockdown());
        write("usr/lib/bootsecrets/config.d/10-image.yaml", "metadata: {lockdown: {enabled: true, group: imds}}\n");
        assertEquals(new Lockdown(true, Optional.of("imds")), load().lockdown());
        write("etc/bootsecrets/config.yaml", "metadata: {lockdown: {group: null}}\n");
        assertEquals(new Lockdown(true, Optional.empty()), load().lockdown());

        write("etc/bootsecrets/config.yaml", "metadata: {lockdown: {enabled: yes please, group: \"a b\", users: [x]}}\n");
        String m = assertThrows(ConfigException.class, this::load).getMessage();
        for (String expected : List.of("metadata.lockdown.enabled: must be true or false", "metadata.lockdown.group:",
                "metadata.lockdown.users: unknown key")) {
            assertTrue(m.contains(expected), expected + " in " + m);
        }
        Files.delete(root.resolve("etc/bootsecrets/config.yaml"));
        var e = assertThrows(ConfigException.class, () -> UserData.apply(ConfigLoader.load(root, Optional.empty()),
                "#cloud-config\nbootsecrets:\n  metadata: {lockdown: {enabled: false}}\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("bootsecrets.metadata: user-data may not set this"), e.getMessage());
    }

    @Test
    void userDataMayNotSetThem() {
        var e = assertThrows(ConfigException.class, () -> UserData.apply(ConfigLoader.load(root, Optional.empty()),
                "#cloud-config\nbootsecrets:\n  metadata: {nocloud: {seed: /tmp}}\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("bootsecrets.metadata: user-data may not set this"), e.getMessage());
    }

    @Test
    void theSectionApartIsReadAfterUserDataUnderTheSamePolicy() throws Exception {
        Config config = ConfigLoader.load(root, Optional.empty());
        byte[] userData = "#cloud-config\nwrite_files:\n  - {path: /etc/a, content: \"from user-data\"}\n"
                .getBytes(StandardCharsets.UTF_8);
        byte[] section = "files:\n  /etc/a: {content: \"from the attribute\"}\n  /etc/b: {content: b}\n"
                .getBytes(StandardCharsets.UTF_8);
        Config applied = UserData.apply(config, Optional.of(userData), Optional.of(section), Optional.empty());
        FileDecl a = applied.declarations().files().stream().filter(f -> f.path().equals("/etc/a")).findFirst().orElseThrow();
        assertEquals("user-data:bootsecrets-config.bootsecrets.files./etc/a", a.origin().toString());
        assertEquals(2, applied.declarations().files().size());

        byte[] outside = "files:\n  /usr/bin/x: {content: x, mode: \"0999\"}\n".getBytes(StandardCharsets.UTF_8);
        String m = assertThrows(ConfigException.class,
                () -> UserData.apply(config, Optional.empty(), Optional.of(outside), Optional.empty())).getMessage();
        assertTrue(m.contains("bootsecrets-config.bootsecrets.files./usr/bin/x.mode"), m);
    }

    @Test
    void userDataTurnedOffTurnsTheSectionOffToo() throws Exception {
        write("etc/bootsecrets/config.yaml", "userData: {enabled: false}\n");
        Config config = ConfigLoader.load(root, Optional.empty());
        Config applied = UserData.apply(config, Optional.empty(),
                Optional.of("files:\n  /etc/b: {content: b}\n".getBytes(StandardCharsets.UTF_8)), Optional.empty());
        assertTrue(applied.declarations().files().isEmpty());
    }

    private Settings load() throws ConfigException {
        return ConfigLoader.load(root, Optional.empty()).settings();
    }

    private void write(String path, String text) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
