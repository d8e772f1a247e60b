package dev.bootsecrets.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.config.Declarations.Content;
import dev.bootsecrets.config.Declarations.FileDecl;
import dev.bootsecrets.config.Declarations.SecretDecl;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.Declarations.SshDecl;
import dev.bootsecrets.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UserDataTest {
    static final String CLOUD_CONFIG = """
            #cloud-config
            hostname: ignored-by-us
            ssh_authorized_keys:
              - ssh-ed25519 AAAAtop alice
            users:
              - default
              - name: bob
                ssh_authorized_keys: [ssh-ed25519 AAAAbob bob]
              - name: carol
                groups: wheel
            write_files:
              - path: /etc/motd
                content: "hello\\n"
              - path: /etc/app/conf
                content: aGVsbG8gYjY0
                encoding: b64
                owner: app:app
                permissions: "0600"
                append: true
                defer: true
            """;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @AfterEach
    void restoreLog() {
        Log.configure(System.err, false);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    static Config apply(String userData) throws ConfigException {
        return UserData.apply(ConfigLoader.defaults(), utf8(userData));
    }

    /** Under an image policy that lets user-data set defaultUser. */
    private static Config trusting(String userData) throws ConfigException {
        return UserData.apply(new Config(trustingSettings(), Declarations.empty()), utf8(userData));
    }

    /** The defaults, but user-data may set defaultUser and use and replace the config's secrets. */
    private static Settings trustingSettings() {
        Settings s = ConfigLoader.defaults().settings();
        Settings.UserDataPolicy p = s.userData();
        return s.withUserData(new Settings.UserDataPolicy(p.enabled(), p.maxBytes(), p.writePaths(),
                p.owners(), p.sshUsers(), true, p.sources(), p.readPaths(), true, false));
    }

    private String captureLog() {
        Log.configure(new PrintStream(log, true, StandardCharsets.UTF_8), true);
        return "";
    }

    private static String text(FileDecl f) {
        return ((Content.Literal) f.content()).bytes().utf8();
    }

    private static void assertCloudConfig(Declarations d, String prefix) {
        assertEquals(List.of(
                new SshDecl("core", List.of("ssh-ed25519 AAAAtop alice"), Origin.userData(prefix + "ssh_authorized_keys")),
                new SshDecl("bob", List.of("ssh-ed25519 AAAAbob bob"), Origin.userData(prefix + "users[1]"))), d.ssh());
        assertEquals(2, d.files().size());
        FileDecl motd = d.files().get(0);
        assertEquals("/etc/motd", motd.path());
        assertEquals("hello\n", text(motd));
        assertEquals(Optional.empty(), motd.owner());
        assertEquals(OptionalInt.of(0644), motd.mode());
        assertEquals(Origin.userData(prefix + "write_files[0]"), motd.origin());
        FileDecl conf = d.files().get(1);
        assertEquals("hello b64", text(conf));
        assertEquals(Optional.of("app"), conf.owner());
        assertEquals(Optional.of("app"), conf.group());
        assertEquals(OptionalInt.of(0600), conf.mode());
        assertTrue(conf.append());
    }

    @Test
    void plainCloudConfig() throws ConfigException {
        assertCloudConfig(apply(CLOUD_CONFIG).declarations(), "");
    }

    @Test
    void gzippedCloudConfig() throws Exception {
        assertCloudConfig(UserData.apply(ConfigLoader.defaults(), gzip(utf8(CLOUD_CONFIG))).declarations(), "");
    }

    @Test
    void multipartWithCloudConfigSectionAndScript() throws ConfigException {
        captureLog();
        String mime = """
                Content-Type: multipart/mixed; boundary="===============5150=="
                MIME-Version: 1.0

                This preamble is not a part.
                --===============5150==
                Content-Type: text/cloud-config; charset="us-ascii"
                MIME-Version: 1.0
                Content-Transfer-Encoding: 7bit
                Content-Disposition: attachment; filename="cloud-config.txt"

                %s
                --===============5150==
                Content-Type: text/plain; charset="us-ascii"

                #bootsecrets-config
                defaultUser: admin
                secrets:
                  token: {from: "metadata:attributes/token"}
                files:
                  /run/app/token: {secret: token, mode: "0400"}
                --===============5150==
                Content-Type: text/x-shellscript; charset="us-ascii"

                #!/bin/sh
                echo hi
                --===============5150==--
                """.formatted(CLOUD_CONFIG.strip()).replace("\n", "\r\n");
        Declarations d = trusting(mime).declarations();

        // the section's defaultUser, from a later part, is whose keys ssh_authorized_keys are
        assertEquals("admin", d.ssh().get(0).user());
        assertEquals(Origin.userData("part[0].ssh_authorized_keys"), d.ssh().get(0).origin());
        assertEquals(List.of(new SecretDecl("token", new Source.FromMetadata("token"), Declarations.Encoding.NONE, 65536,
                Origin.userData("part[1].bootsecrets.secrets.token"))), d.secrets());
        assertEquals(List.of("/etc/motd", "/etc/app/conf", "/run/app/token"), d.files().stream().map(FileDecl::path).toList());
        assertEquals("hello\n", text(d.files().get(0)));
        assertEquals(new Content.SecretRef("token"), d.files().get(2).content());
        assertEquals(Origin.userData("part[1].bootsecrets.files./run/app/token"), d.files().get(2).origin());
        assertTrue(log.toString().contains("user-data part[2] (text/x-shellscript) is not cloud-config"), log.toString());
    }

    @Test
    void base64EncodedMimeParts() throws ConfigException {
        String mime = """
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary=XyZ

                --XyZ
                Content-Type: text/cloud-config
                Content-Transfer-Encoding: base64

                %s
                --XyZ
                Content-Type: text/x-bootsecrets-config
                Content-Transfer-Encoding: base64

                %s
                --XyZ--
                """.formatted(
                Base64.getMimeEncoder().encodeToString(utf8(CLOUD_CONFIG)),
                Base64.getEncoder().encodeToString(utf8("#bootsecrets-config\nssh:\n  bob: [ssh-ed25519 AAAAsection bob]\n")));
        Declarations d = apply(mime).declarations();
        assertEquals(2, d.files().size());
        assertEquals("hello b64", text(d.files().get(1)));
        // bootsecrets.ssh and users[] both for bob: the section's entry and cloud-config's both stand
        assertEquals(List.of("bob", "core", "bob"), d.ssh().stream().map(SshDecl::user).toList());
        assertEquals(Origin.userData("part[1].bootsecrets.ssh.bob"), d.ssh().get(0).origin());
    }

    @Test
    void gzippedAndQuotedPrintableParts() throws Exception {
        String mime = "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/x-gzip\nContent-Transfer-Encoding: base64\n\n"
                + Base64.getMimeEncoder().encodeToString(gzip(utf8("#cloud-config\nwrite_files: [{path: /etc/gz, content: gz}]\n")))
                + "\n--b\nContent-Type: text/cloud-config\nContent-Transfer-Encoding: quoted-printable\n\n"
                + "write_files: [{path: /etc/qp, content: \"caf=C3=A9 =3D long=\n line\"}]\n--b--\n";
        Declarations d = apply(mime).declarations();
        assertEquals(List.of("/etc/gz", "/etc/qp"), d.files().stream().map(FileDecl::path).toList());
        assertEquals("café = long line", text(d.files().get(1)));
    }

    @Test
    void sectionInsideCloudConfig() throws ConfigException {
        Config config = trusting(CLOUD_CONFIG + """
                bootsecrets:
                  version: 1
                  defaultUser: fedora
                  secrets:
                    api: {value: "s3cr3t-api-value"}
                  ssh:
                    ops: ["ssh-ed25519 AAAAops ops"]
                  files:
                    /etc/app/api.key: {secret: api, owner: app, group: app, mode: "0400"}
                """);
        assertEquals("fedora", config.settings().defaultUser());
        Declarations d = config.declarations();
        assertEquals("fedora", d.ssh().stream().filter(s -> s.keys().contains("ssh-ed25519 AAAAtop alice")).findFirst().orElseThrow().user());
        assertEquals(Origin.userData("bootsecrets.ssh.ops"), d.ssh().get(0).origin());
        SecretDecl api = d.secrets().get(0);
        assertTrue(api.source() instanceof Source.Inline in && in.value().utf8().equals("s3cr3t-api-value"));
        assertEquals(Origin.userData("bootsecrets.secrets.api"), api.origin());
        assertEquals(3, d.files().size());
    }

    @Test
    void plainBootsecretsDocument() throws ConfigException {
        Declarations d = apply("#bootsecrets-config\nfiles:\n  /var/lib/app/id: {content: abc}\n").declarations();
        assertEquals(Origin.userData("bootsecrets.files./var/lib/app/id"), d.files().get(0).origin());
        assertEquals(OptionalInt.empty(), d.files().get(0).mode());
    }

    @Test
    void shellScriptIsIgnored() throws ConfigException {
        captureLog();
        Config config = ConfigLoader.defaults();
        assertEquals(config, UserData.apply(config, utf8("#!/bin/bash\necho hello\n")));
        assertTrue(log.toString().contains("<6>user-data is a script"), log.toString());
    }

    @Test
    void otherFormsAreIgnoredWithANote() throws ConfigException {
        captureLog();
        Config config = ConfigLoader.defaults();
        assertEquals(config, UserData.apply(config, utf8("#cloud-config-archive\n- type: text/cloud-config\n")));
        assertEquals(config, UserData.apply(config, new byte[0]));
        assertEquals(config, UserData.apply(config, utf8("just some words: with a colon\n")));
    }

    @Test
    void systemdImdsCredentialsAreReadAsCredentials() throws ConfigException {
        Config config = UserData.apply(ConfigLoader.defaults(), utf8("""
                {"systemd.credentials": [
                  {"name": "db-password", "text": "imds-text-value-1"},
                  {"name": "tls.key", "data": "aW1kcy1kYXRhLXZhbHVl"},
                  {"name": "api", "encrypted": "k6iUCUh0RJCQyvL8k8q1UyAAAAA="}
                ]}
                """));
        Declarations d = config.declarations();
        assertEquals(List.of("db-password", "tls.key"), d.credentials().stream().map(c -> c.name()).toList());
        assertEquals(List.of("/run/credstore.encrypted/api"), d.files().stream().map(f -> f.path()).toList());
        assertEquals(OptionalInt.of(0400), d.files().get(0).mode());
        Declarations.SecretDecl data = d.secrets().stream().filter(x -> x.name().equals("tls.key")).findFirst().orElseThrow();
        assertEquals(Declarations.Encoding.BASE64, data.encoding());
        assertTrue(data.origin().fromUserData());
    }

    @Test
    void badSystemdImdsCredentialsNameTheEntry() {
        ConfigException e = assertThrows(ConfigException.class, () -> UserData.apply(ConfigLoader.defaults(), utf8(
                "{\"systemd.credentials\": [{\"name\": \"ok\", \"text\": \"v\"}, {\"name\": \"a/b\", \"text\": \"secret-value-77\"},"
                        + " {\"name\": \"two\", \"text\": \"a\", \"data\": \"b\"}]}")));
        assertEquals(List.of(
                "user-data: systemd.credentials[1].name: missing, or not a credential name (" + Fields.SECRET_NAME_RULE + ")",
                "user-data: systemd.credentials[2]: needs exactly one of text, data or encrypted, as a string"), e.errors());
        assertFalse(e.getMessage().contains("secret-value-77"));
    }

    @Test
    void disabledUserDataIsNotReadAtAll() throws ConfigException {
        captureLog();
        Settings s = ConfigLoader.defaults().settings();
        Config config = new Config(s.withUserData(new Settings.UserDataPolicy(false, 10, List.of(), false, List.of(), false, Set.of(), List.of(), false, false)),
                Declarations.empty());
        assertSame(config, UserData.apply(config, utf8(CLOUD_CONFIG + "bootsecrets: {provider: aws}\n")));
        assertTrue(log.toString().contains("<5>user-data ignored"), log.toString());
    }

    @Test
    void userDataWinsOverConfigFilesEntryByEntry() throws ConfigException {
        Origin image = Origin.file("/usr/lib/bootsecrets/config.d/10.yaml", "x");
        Config config = new Config(trustingSettings(), new Declarations(
                List.of(new SecretDecl("api", new Source.FromFile("/usr/lib/k"), Declarations.Encoding.NONE, 100, image),
                        new SecretDecl("other", new Source.FromFile("/usr/lib/o"), Declarations.Encoding.NONE, 100, image)),
                List.of(new SshDecl("core", List.of("ssh-ed25519 AAAAimage"), image), new SshDecl("ops", List.of("ssh-ed25519 AAAAimageops"), image)),
                List.of(file("/etc/motd", image), file("/etc/issue", image), file("/etc/app.conf", image))));

        Declarations d = UserData.apply(config, utf8("""
                #cloud-config
                ssh_authorized_keys: [ssh-ed25519 AAAAud]
                write_files:
                  - {path: /etc/motd, content: ud}
                  - {path: /etc/issue, content: more, append: true}
                bootsecrets:
                  secrets:
                    api: {from: "metadata:attributes/api"}
                  ssh:
                    ops: [ssh-ed25519 AAAAudops]
                """)).declarations();

        assertEquals(List.of("other", "api"), d.secrets().stream().map(SecretDecl::name).toList());
        assertEquals(new Source.FromMetadata("api"), d.secrets().get(1).source());
        // ops: the section replaced the image's keys; core: cloud-config's keys came in addition
        assertEquals(List.of(List.of("ssh-ed25519 AAAAimage"), List.of("ssh-ed25519 AAAAudops"), List.of("ssh-ed25519 AAAAud")),
                d.ssh().stream().map(SshDecl::keys).toList());
        assertEquals(List.of("/etc/issue", "/etc/app.conf", "/etc/motd", "/etc/issue"), d.files().stream().map(FileDecl::path).toList());
        assertEquals(List.of(image, image, Origin.userData("write_files[0]"), Origin.userData("write_files[1]")),
                d.files().stream().map(FileDecl::origin).toList());
    }

    @Test
    void writeFilesEncodings() throws Exception {
        String gz = Base64.getEncoder().encodeToString(gzip(utf8("zipped")));
        Declarations d = apply("""
                #cloud-config
                write_files:
                  - {path: /etc/a, content: %1$s, encoding: gz+b64}
                  - {path: /etc/b, content: %1$s, encoding: GZIP+BASE64}
                  - {path: /etc/c, content: !!binary %1$s, encoding: gzip}
                  - {path: /etc/d, content: !!binary aGk=}
                  - {path: /etc/e, encoding: text/plain, permissions: 0755, owner: root}
                """.formatted(gz)).declarations();
        assertEquals(List.of("zipped", "zipped", "zipped", "hi", ""), d.files().stream().map(UserDataTest::text).toList());
        assertEquals(OptionalInt.of(0755), d.files().get(4).mode());
        assertEquals(Optional.of("root"), d.files().get(4).owner());
    }

    private static FileDecl file(String path, Origin origin) {
        return new FileDecl(path, new Content.Literal(dev.bootsecrets.secret.Secret.ofUtf8("image")), Optional.empty(), Optional.empty(),
                OptionalInt.empty(), false, origin);
    }
}
