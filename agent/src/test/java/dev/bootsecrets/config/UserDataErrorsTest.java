package dev.bootsecrets.config;

import static dev.bootsecrets.config.UserDataTest.gzip;
import static dev.bootsecrets.config.UserDataTest.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Bad user-data: each is refused, naming the field, and never showing a secret value. */
class UserDataErrorsTest {
    /** A distinctive value put in every document below, which no message may show. */
    static final String SECRET = "Kx9-vErY-SeCrEt-Q7w";

    private static ConfigException refused(Config config, byte[] userData) {
        ConfigException e = assertThrows(ConfigException.class, () -> UserData.apply(config, userData));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        e.errors().forEach(error -> assertFalse(error.contains(SECRET), error));
        return e;
    }

    private static ConfigException refused(String userData) {
        return refused(ConfigLoader.defaults(), utf8(userData));
    }

    private static void assertHas(ConfigException e, String expected) {
        assertTrue(e.errors().contains(expected), "expected <" + expected + "> in " + e.errors());
    }

    /** cloud-config with a section that declares an inline secret, then {@code section}'s lines. */
    private static String withSecret(String cloudConfig, String section) {
        return "#cloud-config\n" + cloudConfig + "bootsecrets:\n  secrets:\n    leak: {value: \"" + SECRET + "\"}\n" + section;
    }

    private static Config policy(int maxBytes, boolean owners) {
        Settings s = ConfigLoader.defaults().settings();
        return new Config(s.withUserData(new Settings.UserDataPolicy(true, maxBytes, s.userData().writePaths(), owners,
                s.userData().sshUsers(), false, s.userData().sources(), List.of(), false, false)),
                Declarations.empty());
    }

    @Test
    void malformedYaml() {
        ConfigException e = refused("#cloud-config\nwrite_files:\n  - path: /etc/x\n    content: \"" + SECRET + "\n   - oops: [\n");
        assertTrue(e.getMessage().startsWith("user-data: line "), e.getMessage());
    }

    @Test
    void malformedYamlInAPartNamesThePart() {
        ConfigException e = refused("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/cloud-config\n\nx: [" + SECRET + "\n--b--\n");
        assertTrue(e.getMessage().startsWith("user-data: part[0]: line "), e.getMessage());
    }

    @Test
    void duplicateKeys() {
        ConfigException e = refused(withSecret("", "    leak: {value: other}\n"));
        assertEquals(1, e.errors().size(), e.errors().toString());
        assertTrue(e.errors().getFirst().startsWith("user-data: line 5, column 5: duplicate key leak: bootsecrets reads it"),
                e.errors().toString());
    }

    @Test
    void aliasBombIsRefused() {
        StringBuilder doc = new StringBuilder("#cloud-config\na: &a [\"" + SECRET + "\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            doc.append(c).append(": &").append(c).append(" [").append(String.join(",", Collections.nCopies(10, "*" + (char) (c - 1)))).append("]\n");
        }
        doc.append("ssh_authorized_keys: *j\n");
        assertEquals(List.of("user-data: more than 50 aliases to collections"), refused(doc.toString()).errors());
    }

    @Test
    void overTheSizeLimit() {
        byte[] big = utf8("#cloud-config\n# " + "x".repeat(2_000_000 - 17) + "\n");
        assertEquals(2_000_000, big.length);
        assertEquals(List.of("user-data: 2000000 bytes is over the limit of 1048576"), refused(ConfigLoader.defaults(), big).errors());
    }

    @Test
    void gzipBombIsRefused() throws Exception {
        byte[] bomb = gzip(utf8("#cloud-config\n# " + SECRET + "\n" + " ".repeat(50_000_000)));
        assertTrue(bomb.length < 100_000);
        assertEquals(List.of("user-data: decodes to more than 1048576 bytes in all (userData.maxBytes counts the documents, MIME parts and encoded write_files contents together)"), refused(ConfigLoader.defaults(), bomb).errors());
    }

    @Test
    void gzipBombInAPartIsRefused() throws Exception {
        String part = java.util.Base64.getMimeEncoder().encodeToString(gzip(new byte[4_000_000]));
        ConfigException e = refused(policy(100_000, true),
                utf8("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: base64\n\n" + part + "\n--b--\n"));
        assertEquals(List.of("user-data: part[0]: decodes to more than 100000 bytes in all (userData.maxBytes counts the documents, MIME parts and encoded write_files contents together)"), e.errors());
    }

    @Test
    void gzipBombInWriteFiles() throws Exception {
        String b64 = java.util.Base64.getEncoder().encodeToString(gzip(new byte[2_000_000]));
        ConfigException e = refused(withSecret("write_files:\n  - {path: /etc/x, encoding: gz+b64, content: " + b64 + "}\n", ""));
        assertEquals(List.of("user-data: write_files[0].content: decodes to more than 1048576 bytes"
                + " in all (userData.maxBytes counts the documents, MIME parts and encoded write_files contents together)"), e.errors());
    }

    @Test
    void invalidBase64InWriteFiles() {
        ConfigException e = refused(withSecret("write_files:\n  - {path: /etc/a, content: ok}\n  - {path: /etc/x, encoding: b64, content: \"" + SECRET + "%%\"}\n", ""));
        assertEquals(List.of("user-data: write_files[1].content: is not valid base64 (encoding: b64)"), e.errors());
    }

    @Test
    void nonOctalModes() {
        ConfigException e = refused(withSecret("""
                write_files:
                  - {path: /etc/a, permissions: "0999"}
                  - {path: /etc/b, permissions: 644}
                  - {path: /etc/c, permissions: "rw-r--r--"}
                  - {path: /etc/d, permissions: "0644 please"}
                """, "  files:\n    /etc/x: {content: \"" + SECRET + "\", mode: \"0999\"}\n"));
        assertHas(e, "user-data: bootsecrets.files./etc/x.mode: \"0999\" is not an octal mode");
        assertHas(e, "user-data: write_files[0].permissions: \"0999\" is not an octal mode");
        assertHas(e, "user-data: write_files[1].permissions: the number 644 (octal 01204) is not a mode from 0 to 0777"
                + " (no setuid, setgid or sticky bit; write modes in quotes, such as \"0644\")");
        assertHas(e, "user-data: write_files[2].permissions: \"rw-r--r--\" is not an octal mode");
        assertHas(e, "user-data: write_files[3].permissions: the value is not an octal mode");
    }

    @Test
    void unknownKeyInTheSection() {
        ConfigException e = refused(withSecret("", "  secrts: {}\n  files:\n    /etc/x: {content: a, owners: root}\n"));
        assertEquals(2, e.errors().size(), e.getMessage());
        assertTrue(e.errors().get(0).startsWith("user-data: bootsecrets.secrts: unknown key (known: credentials, defaultUser, endpoints, env, files, "), e.getMessage());
        assertTrue(e.errors().get(1).startsWith("user-data: bootsecrets.files./etc/x.owners: unknown key (known: append, content, group, mode, owner, secret)"),
                e.getMessage());
    }

    @Test
    void unknownCloudConfigKeysAreFine() throws ConfigException {
        UserData.apply(ConfigLoader.defaults(), utf8("#cloud-config\npackages: [vim]\nruncmd: [[ls]]\nbootcmd: x\n"));
    }

    @Test
    void relativeAndUnplainPaths() {
        ConfigException e = refused(withSecret("""
                write_files:
                  - {path: etc/x}
                  - {path: /etc/../usr/x}
                  - {content: x}
                """, "  files:\n    run/y: {content: \"" + SECRET + "\"}\n"));
        assertHas(e, "user-data: bootsecrets.files.run/y: " + Fields.PATH_RULE);
        assertHas(e, "user-data: write_files[0].path: " + Fields.PATH_RULE);
        assertHas(e, "user-data: write_files[1].path: " + Fields.PATH_RULE);
        assertHas(e, "user-data: write_files[2].path: is required");
    }

    @Test
    void ownersWhenThePolicyForbidsThem() {
        byte[] userData = utf8(withSecret("""
                write_files:
                  - {path: /etc/a, owner: "root:root"}
                  - {path: /etc/b, owner: "app"}
                  - {path: /etc/c, owner: "root:app"}
                """, "  files:\n    /etc/d: {content: \"" + SECRET + "\", group: app}\n"));
        ConfigException e = refused(policy(1 << 20, false), userData);
        String rule = "user-data may not name owners or groups other than root (userData.owners is false)";
        assertEquals(List.of("user-data: bootsecrets.files./etc/d.group: " + rule, "user-data: write_files[1].owner: " + rule,
                "user-data: write_files[2].owner: " + rule), e.errors());
    }

    @Test
    void aUsersPodmanSecretWhenThePolicyForbidsOwners() {
        byte[] userData = utf8(withSecret("", "  podman:\n    app: {secret: leak, user: alice}\n"));
        ConfigException e = refused(policy(1 << 20, false), userData);
        assertEquals(List.of("user-data: bootsecrets.podman.app.user: user-data may not name owners or groups other than root"
                + " (userData.owners is false)"), e.errors());
    }

    @Test
    void settingsKeysInUserData() {
        ConfigException e = refused(withSecret("", "  provider: aws\n  metadata: {url: 'http://127.0.0.1/'}\n  userData: {enabled: true}\n  metadataKeys: false\n"));
        assertEquals(4, e.errors().size(), e.getMessage());
        for (String key : List.of("provider", "metadata", "userData", "metadataKeys")) {
            assertTrue(e.getMessage().contains("user-data: bootsecrets." + key + ": user-data may not set this"), e.getMessage());
        }
    }

    @Test
    void secretErrorsNameTheFieldNotTheValue() {
        ConfigException e = refused("""
                #bootsecrets-config
                secrets:
                  a: {value: "%1$s", from: "file:/x"}
                  b: {from: "%1$s"}
                  c: {from: "https://%1$s@example.com/"}
                  d: {value: "%1$s", maxBytes: 4}
                  e: {value: "%1$s", encoding: base64}
                  f: {value: ["%1$s"]}
                  g: {from: "%1$s:x"}
                ssh:
                  core: ["%1$s", {key: "%1$s"}]
                files:
                  /etc/x: {content: {x: "%1$s"}}
                  /etc/y: {secret: "%1$s!", content: x}
                  /etc/z: {secret: "no such/name"}
                """.formatted(SECRET));
        assertHas(e, "user-data: bootsecrets.secrets.a: has both value and from; give one (use value, file:PATH, metadata:attributes/NAME, join:NAME, vault:MOUNT/PATH#KEY, aws-secretsmanager:NAME, aws-ssm:/PARAMETER, gcp-secretmanager:secrets/NAME or azure-keyvault:VAULT/NAME)");
        assertHas(e, "user-data: bootsecrets.secrets.b.from: is not a source (use value, file:PATH, metadata:attributes/NAME, join:NAME, vault:MOUNT/PATH#KEY, aws-secretsmanager:NAME, aws-ssm:/PARAMETER, gcp-secretmanager:secrets/NAME or azure-keyvault:VAULT/NAME)");
        assertHas(e, "user-data: bootsecrets.secrets.c.from: unknown source \"https\" (use value, file:PATH, metadata:attributes/NAME, join:NAME, vault:MOUNT/PATH#KEY, aws-secretsmanager:NAME, aws-ssm:/PARAMETER, gcp-secretmanager:secrets/NAME or azure-keyvault:VAULT/NAME)");
        assertHas(e, "user-data: bootsecrets.secrets.d.value: 19 bytes is over maxBytes (4)");
        assertHas(e, "user-data: bootsecrets.secrets.e.value: is not valid base64 (encoding: base64)");
        assertHas(e, "user-data: bootsecrets.secrets.f.value: must be a string (or !!binary)");
        assertHas(e, "user-data: bootsecrets.secrets.g.from: unknown source (use value, file:PATH, metadata:attributes/NAME, join:NAME, vault:MOUNT/PATH#KEY, aws-secretsmanager:NAME, aws-ssm:/PARAMETER, gcp-secretmanager:secrets/NAME or azure-keyvault:VAULT/NAME)");
        assertHas(e, "user-data: bootsecrets.ssh.core[1]: must be a string");
        assertHas(e, "user-data: bootsecrets.files./etc/x.content: must be a string (or !!binary)");
        assertHas(e, "user-data: bootsecrets.files./etc/y: has both content and secret; give one");
        assertHas(e, "user-data: bootsecrets.files./etc/z.secret: is not a secret name (" + Fields.SECRET_NAME_RULE + ")");
    }

    @Test
    void cloudConfigTypesAreChecked() {
        ConfigException e = refused(withSecret("""
                ssh_authorized_keys: [ssh-ed25519 AAAA, 7]
                users:
                  - {name: "", ssh_authorized_keys: [ssh-ed25519 AAAA]}
                  - {name: bob, ssh_authorized_keys: {a: ssh-ed25519 AAAA}}
                write_files: {path: /etc/x}
                """, ""));
        assertEquals(List.of("user-data: ssh_authorized_keys[1]: must be a string (put it in quotes)", "user-data: users[0].name: the value is not a user or group name",
                "user-data: users[1].ssh_authorized_keys: must be a list", "user-data: write_files: must be a list"), e.errors());
    }

    @Test
    void wrongSchemaVersionAndNonMappings() {
        assertHas(refused("#bootsecrets-config\nversion: 2\n"), "user-data: bootsecrets.version: must be 1, the schema version this agent reads");
        assertEquals(List.of("user-data: #bootsecrets-config must be a mapping"), refused("#bootsecrets-config\n- a\n").errors());
        assertEquals(List.of("user-data: bootsecrets: must be a mapping"), refused("#cloud-config\nbootsecrets: [a]\n").errors());
    }
}
