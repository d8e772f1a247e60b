package dev.bootsecrets.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bootsecrets.config.Declarations.Content;
import dev.bootsecrets.config.Declarations.Encoding;
import dev.bootsecrets.config.Declarations.FileDecl;
import dev.bootsecrets.config.Declarations.SecretDecl;
import dev.bootsecrets.config.Declarations.Source;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final String SECRET = "sEcReT-value-9f83c1";

    @TempDir
    Path root;

    private Path write(String path, String text) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private Config load() throws ConfigException {
        return ConfigLoader.load(root, Optional.empty());
    }

    @Test
    void noFilesGivesTheDefaults() throws ConfigException {
        Config config = load();
        Settings s = config.settings();
        assertEquals("auto", s.provider());
        assertEquals(Optional.empty(), s.metadataUrl());
        assertEquals(Duration.ofSeconds(60), s.deadline());
        assertEquals("core", s.defaultUser());
        assertTrue(s.metadataKeys());
        assertEquals(new Settings.Aws(false, false), s.aws());
        assertEquals(new Settings.UserDataPolicy(true, 1048576, List.of("/etc/", "/run/", "/var/"), true, List.of("*"), false,
                Set.of("value", "metadata"), List.of(), false, false), s.userData());
        assertEquals(Declarations.empty(), config.declarations());
        assertEquals(config, ConfigLoader.defaults());
    }

    @Test
    void laterLayersWinKeyByKey() throws IOException, ConfigException {
        write("usr/lib/bootsecrets/config.d/10-image.yaml", """
                provider: aws
                defaultUser: ec2-user
                metadata: {deadline: 30s, aws: {imdsv1: true}}
                userData: {maxBytes: 4096, writePaths: [/etc/, /run/]}
                """);
        write("usr/lib/bootsecrets/config.d/20-image.yaml", "metadata: {aws: {ipv6: true}}\n");
        write("etc/bootsecrets/config.yaml", "metadata: {url: 'http://127.0.0.1:8080/'}\nuserData: {owners: false}\n");
        write("etc/bootsecrets/config.d/50-local.yaml", "provider: gcp\nuserData: {writePaths: [/run]}\n");
        Path extra = Files.writeString(root.resolve("extra.yaml"), "metadata: {deadline: 2m}\n");

        Settings s = ConfigLoader.load(root, Optional.of(extra)).settings();
        assertEquals("gcp", s.provider());                                  // etc config.d over usr/lib
        assertEquals("ec2-user", s.defaultUser());                          // only the image set it
        assertEquals(Duration.ofMinutes(2), s.deadline());                  // --config over all
        assertEquals(Optional.of(URI.create("http://127.0.0.1:8080/")), s.metadataUrl());
        assertEquals(new Settings.Aws(true, true), s.aws());                // two files, one map, merged
        assertEquals(new Settings.UserDataPolicy(true, 4096, List.of("/run/"), false, List.of("*"), false,
                Set.of("value", "metadata"), List.of(), false, false), s.userData()); // a list replaces
    }

    @Test
    void dropInsAreReadInNameOrderAndOnlyYaml() throws IOException, ConfigException {
        write("etc/bootsecrets/config.d/b.yaml", "provider: azure\n");
        write("etc/bootsecrets/config.d/a.yaml", "provider: gcp\n");
        write("etc/bootsecrets/config.d/c.yaml.rpmsave", "provider: nonsense\n");
        write("etc/bootsecrets/config.d/.z.yaml", "provider: nonsense\n");
        assertEquals("azure", load().settings().provider());
    }

    @Test
    void declarationsMergeByEntryWithTheFileThatGaveIt() throws IOException, ConfigException {
        Path image = write("usr/lib/bootsecrets/config.d/10-app.yaml", """
                secrets:
                  api: {from: "file:/usr/lib/bootsecrets/bootstrap/api.key"}
                  db: {from: "metadata:attributes/db-password", encoding: base64, maxBytes: 512}
                files:
                  /etc/app/api.key: {secret: api, owner: app, group: app, mode: "0400"}
                  /etc/motd: {content: "image\\n"}
                ssh:
                  core: ["ssh-ed25519 AAAAimage image"]
                """);
        Path local = write("etc/bootsecrets/config.yaml", """
                secrets:
                  api: {value: "%s"}
                files:
                  /etc/motd: {content: "local\\n", mode: 0644}
                """.formatted(SECRET));

        Declarations d = load().declarations();
        SecretDecl api = find(d.secrets(), "api");
        assertTrue(api.source() instanceof Source.Inline in && in.value().utf8().equals(SECRET));
        assertEquals(Origin.file(local.toString(), "secrets.api"), api.origin());
        SecretDecl db = find(d.secrets(), "db");
        assertEquals(new Source.FromMetadata("db-password"), db.source());
        assertEquals(Encoding.BASE64, db.encoding());
        assertEquals(512, db.maxBytes());
        assertEquals(Origin.file(image.toString(), "secrets.db"), db.origin());

        FileDecl key = file(d, "/etc/app/api.key");
        assertEquals(new Content.SecretRef("api"), key.content());
        assertEquals(Optional.of("app"), key.owner());
        assertEquals(OptionalInt.of(0400), key.mode());
        assertEquals(Origin.file(image.toString(), "files./etc/app/api.key"), key.origin());
        FileDecl motd = file(d, "/etc/motd");
        assertEquals("local\n", ((Content.Literal) motd.content()).bytes().utf8());
        assertEquals(OptionalInt.of(0644), motd.mode());
        assertEquals(Origin.file(local.toString(), "files./etc/motd"), motd.origin());
        assertEquals(1, d.files().stream().filter(f -> f.path().equals("/etc/motd")).count());
        assertEquals(List.of("ssh-ed25519 AAAAimage image"), d.ssh().get(0).keys());
    }

    @Test
    void errorsOfAllFilesAreCollectedWithTheirPaths() throws IOException {
        Path a = write("usr/lib/bootsecrets/config.d/a.yaml", "files:\n  /etc/x: {content: x, mode: \"0999\"}\n");
        Path b = write("etc/bootsecrets/config.yaml", "provder: aws\nmetadata: {deadline: 30}\n");
        Path c = write("etc/bootsecrets/config.d/c.yaml", "a: [\n");
        ConfigException e = assertThrows(ConfigException.class, this::load);
        assertEquals(4, e.errors().size(), e.getMessage());
        assertEquals(a + ": files./etc/x.mode: \"0999\" is not an octal mode", e.errors().get(0));
        assertTrue(e.errors().get(1).startsWith(b + ": provder: unknown key"), e.errors().get(1));
        assertTrue(e.errors().get(2).startsWith(b + ": metadata.deadline: must be a duration"), e.errors().get(2));
        assertTrue(e.errors().get(3).startsWith(c + ": line "), e.errors().get(3));
    }

    @Test
    void wrapperKeyGetsAHint() throws IOException {
        write("etc/bootsecrets/config.yaml", "bootsecrets:\n  provider: aws\n");
        ConfigException e = assertThrows(ConfigException.class, this::load);
        assertTrue(e.getMessage().contains("bootsecrets: unknown key (a config file holds the section's keys at top level"), e.getMessage());
    }

    @Test
    void aLinkInConfigDNeverReachesTheHostsFiles(@TempDir Path host) throws IOException, ConfigException {
        // with java.nio this link was followed out of --root, to the host's own file
        Path outside = Files.writeString(host.resolve("planted.yaml"), "provider: gcp\nuserData: {writePaths: [/]}\n");
        Files.createDirectories(root.resolve("etc/bootsecrets/config.d"));
        Files.createSymbolicLink(root.resolve("etc/bootsecrets/config.d/99.yaml"), outside);
        Settings s = load().settings();
        assertEquals("auto", s.provider(), "the host's file was read");
        assertEquals(List.of("/etc/", "/run/", "/var/"), s.userData().writePaths());
    }

    @Test
    void aLinkSomeoneElseOwnsInConfigDIsRefused() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "lchown needs root");
        write("etc/bootsecrets/real.yaml", "provider: gcp\n");
        Path link = Files.createSymbolicLink(Files.createDirectories(root.resolve("etc/bootsecrets/config.d")).resolve("99.yaml"),
                Path.of("../real.yaml"));
        Files.setAttribute(link, "unix:uid", 1000, LinkOption.NOFOLLOW_LINKS);
        ConfigException e = assertThrows(ConfigException.class, this::load);
        assertTrue(e.getMessage().startsWith(root.resolve("etc/bootsecrets/config.d/99.yaml") + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("(config is read with the same symlink rules as every write)"), e.getMessage());
    }

    @Test
    void aRootOwnedLinkInARootOnlyDirectoryIsFollowedInsideTheRoot() throws IOException, ConfigException {
        write("usr/share/myimage/bootsecrets.yaml", "provider: azure\n");
        Path dir = Files.createDirectories(root.resolve("usr/lib/bootsecrets/config.d"));
        Files.createSymbolicLink(dir.resolve("10-image.yaml"), Path.of("/usr/share/myimage/bootsecrets.yaml"));
        assertEquals("azure", load().settings().provider());
    }

    @Test
    void missingConfigFileGivenOnTheCommandLineIsAnError() {
        Path missing = root.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(root, Optional.of(missing)));
        assertEquals(missing + ": no such file", e.getMessage());
    }

    @Test
    void settingsAreChecked() throws IOException {
        write("etc/bootsecrets/config.yaml", """
                version: 2
                provider: openstack
                metadataKeys: "yes please"
                metadata: {url: "ftp://user:%s@host/", aws: {imdsv2: true}}
                userData: {maxBytes: 0, writePaths: [etc/]}
                """.formatted(SECRET));
        ConfigException e = assertThrows(ConfigException.class, this::load);
        String m = e.getMessage();
        for (String expected : List.of("version: must be 1", "provider: \"openstack\" is not a provider", "metadataKeys: must be true or false",
                "metadata.url: must be an http:// or https:// URL", "metadata.aws.imdsv2: unknown key", "userData.maxBytes: must be a number of bytes",
                "userData.writePaths[0]: is not an absolute directory")) {
            assertTrue(m.contains(expected), expected + " in " + m);
        }
        assertFalse(m.contains(SECRET), m);
    }

    @Test
    void declarationsAreChecked() throws IOException {
        write("etc/bootsecrets/config.yaml", """
                secrets:
                  a: {value: "%1$s", from: "file:/x"}
                  b: {from: "http://example.com/%1$s"}
                  c: {from: "join:/%1$s"}
                  v: {from: "vault:secret#%1$s"}
                  d: {from: "file:relative"}
                  e: {value: "%1$s!", encoding: base64}
                  "bad name": {value: x}
                ssh:
                  core: [ssh-ed25519 AAAA, 42]
                files:
                  etc/x: {content: x}
                  /etc/y: {content: x, secret: a}
                  /etc/z: {secret: a, mode: 04755, owner: "al ice"}
                """.formatted(SECRET));
        ConfigException e = assertThrows(ConfigException.class, this::load);
        String m = e.getMessage();
        for (String expected : List.of("secrets.a: has both value and from", "secrets.b.from: unknown source \"http\"",
                "secrets.c.from: join: needs the name", "secrets.v.from: vault: needs a mount, a path and a key", "secrets.d.from: file: needs an absolute file path",
                "secrets.e.value: is not valid base64", "secrets.bad name: is not a secret name", "ssh.core[1]: must be a string",
                "files.etc/x: is not an absolute file path", "files./etc/y: has both content and secret",
                "files./etc/z.mode: the number 2541 (octal 04755) is not a mode from 0 to 0777",
                "files./etc/z.owner: the value is not a user or group name")) {
            assertTrue(m.contains(expected), expected + " in " + m);
        }
        assertFalse(m.contains(SECRET), m);
        assertFalse(m.contains("example.com"), m);
    }

    @Test
    void modesInEveryForm() throws IOException, ConfigException {
        write("etc/bootsecrets/config.yaml", """
                files:
                  /etc/a: {content: "", mode: "0640"}
                  /etc/b: {content: "", mode: "600"}
                  /etc/c: {content: "", mode: "0o755"}
                  /etc/d: {content: "", mode: 0440}
                  /etc/e: {content: "", mode: 384}
                """);
        Declarations d = load().declarations();
        assertEquals(List.of(0640, 0600, 0755, 0440, 0600),
                d.files().stream().map(f -> f.mode().getAsInt()).toList());
    }

    private static SecretDecl find(List<SecretDecl> secrets, String name) {
        return secrets.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static FileDecl file(Declarations d, String path) {
        return d.files().stream().filter(f -> f.path().equals(path)).findFirst().orElseThrow();
    }
}
