package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.testing.Emulated;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of issue 10 on the user-data policy, each run as the agent at boot against the
 * AWS emulator: what the image's policy refuses is not written, and the error names the
 * field and the policy key; {@code bootsecrets check} says the same offline.
 */
class TrustBoundaryTest {
    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKnnIGjUHH61gxCGDLPSoiMJknIy4ZZZ0ngsIJmnfvmm mallory";
    /** The image of the issue's attacks: user-data may write only /etc/myapp/, and name no owners. */
    static final String NARROW_IMAGE = "userData: {writePaths: [/etc/myapp/], owners: false}\n";
    static final String SHADOW = "root:$6$shadow-hash-7f3a:19000:0:99999:7:::\n";

    @TempDir
    Path dir;
    Path root;
    @RegisterExtension
    final Emulated cloud = new Emulated();

    @BeforeEach
    void sandbox() throws IOException {
        root = Agent.sandbox(dir);
        Files.writeString(root.resolve("etc/shadow"), SHADOW);
    }

    /** Runs the agent with {@code userData} served by the emulator. */
    Agent.Run boot(String userData) throws Exception {
        return boot(userData.getBytes(StandardCharsets.UTF_8));
    }

    Agent.Run boot(byte[] userData) throws Exception {
        return Agent.boot(cloud, root, userData);
    }

    Agent.Run check(String userData) throws IOException {
        return Agent.check(dir, root, userData);
    }

    /** The run and check both refuse it with {@code message}, and nothing of it is on disk. */
    void refused(String userData, String message) throws Exception {
        Agent.Run run = boot(userData);
        assertEquals(ExitCode.INVALID, run.exit(), run.all());
        assertTrue(run.err().contains(message), run.all());
        Agent.Run check = check(userData);
        assertEquals(ExitCode.INVALID, check.exit(), check.all());
        assertTrue(check.out().contains(message), check.all());
        assertFalse(Files.exists(root.resolve("root/.ssh")), "/root/.ssh was made");
        assertFalse(Files.exists(root.resolve("etc/myapp/copy")), "the copy was written");
    }

    @Test
    void aPodmanSecretOutsideWritePathsIsRefused() throws Exception {
        Agent.writeImageConfig(root, NARROW_IMAGE);
        refused("#cloud-config\nbootsecrets: {secrets: {s: {value: x}}, podman: {app: {secret: s}}}\n",
                "user-data:bootsecrets.podman.app: /run/bootsecrets/podman/app is outside the paths user-data may write"
                        + " (userData.writePaths: /etc/myapp/)");
        assertFalse(Files.exists(root.resolve("run/bootsecrets/podman")));
    }

    @Test
    void aUsersPodmanSecretNeedsThePolicyToAllowOwners() throws Exception {
        Agent.writeImageConfig(root, NARROW_IMAGE);
        refused("#cloud-config\nbootsecrets: {secrets: {s: {value: x}}, podman: {app: {secret: s, user: core}}}\n",
                "user-data: bootsecrets.podman.app.user: user-data may not name owners or groups other than root"
                        + " (userData.owners is false)");
        assertFalse(Files.exists(root.resolve("run/bootsecrets-podman")));
    }

    @Test
    void aUsersPodmanSecretFromUserDataIsTheirsWhereThePolicyAllows() throws Exception {
        Agent.Run run = boot("#cloud-config\nbootsecrets: {secrets: {s: {value: ud-value-81}}, podman: {app: {secret: s, user: core}}}\n");

        assertEquals(0, run.exit(), run.all());
        Path value = root.resolve("run/bootsecrets-podman/1000/app");
        assertEquals("ud-value-81", Files.readString(value));
        assertEquals("1000:1000", Agent.owner(value));
        assertEquals("rw-------", Agent.mode(value));
    }

    @Test
    void sshForRootInTheSectionIsRefused() throws Exception {
        Agent.writeImageConfig(root, NARROW_IMAGE);
        refused("#cloud-config\nbootsecrets: {ssh: {root: [\"" + KEY + "\"]}}\n",
                "user-data: bootsecrets.ssh.root: user-data and metadata may not give root SSH keys"
                        + " (userData.sshUsers does not list root)");
    }

    @Test
    void cloudInitUsersRootIsRefused() throws Exception {
        Agent.writeImageConfig(root, NARROW_IMAGE);
        refused("#cloud-config\nusers: [{name: root, ssh_authorized_keys: [\"" + KEY + "\"]}]\n",
                "user-data: users[0].name: user-data and metadata may not give root SSH keys (userData.sshUsers");
    }

    @Test
    void defaultUserRootIsRefused() throws Exception {
        Agent.writeImageConfig(root, NARROW_IMAGE);
        refused("#cloud-config\nssh_authorized_keys: [\"" + KEY + "\"]\nbootsecrets: {defaultUser: root}\n",
                "user-data: bootsecrets.defaultUser: user-data may not set the default user (userData.defaultUser is false)");
    }

    @Test
    void anImageWhoseDefaultUserIsRootStillKeepsUserDataKeysFromRoot() throws Exception {
        Agent.writeImageConfig(root, "defaultUser: root\n");
        refused("#cloud-config\nssh_authorized_keys: [\"" + KEY + "\"]\n",
                "user-data: ssh_authorized_keys: user-data and metadata may not give root SSH keys");
    }

    @Test
    void theCloudsOwnKeyPairGoesToRootOnlyWhenTheImageAllowsIt() throws Exception {
        Agent.writeImageConfig(root, "defaultUser: root\n");
        Agent.Run run = boot("#cloud-config\n");
        assertEquals(ExitCode.OK, run.exit(), run.all());
        assertTrue(run.err().contains("aws metadata: SSH keys for root skipped: user-data and metadata may not give root"
                + " SSH keys (userData.sshUsers does not list root)"), run.all());
        assertFalse(Files.exists(root.resolve("root/.ssh")));

        Agent.writeImageConfig(root, "defaultUser: root\nuserData: {sshUsers: [\"*\", root]}\n");
        run = boot("#cloud-config\n");
        assertEquals(ExitCode.OK, run.exit(), run.all());
        assertTrue(Files.readString(root.resolve("root/.ssh/authorized_keys")).contains("ssh-"));
    }

    @Test
    void uidZeroUnderAnotherNameIsRoot() throws Exception {
        Files.writeString(root.resolve("etc/passwd"), Files.readString(root.resolve("etc/passwd"))
                + "toor:x:0:0::/var/home/toor:/bin/bash\n");
        Agent.Run run = boot("#cloud-config\nusers: [{name: toor, ssh_authorized_keys: [\"" + KEY + "\"]}]\n");
        assertEquals(ExitCode.INVALID, run.exit(), run.all());
        assertTrue(run.err().contains("user-data:users[0]: user-data and metadata may not give toor SSH keys: its uid is 0"
                + " (userData.sshUsers does not list it)"), run.all());
        assertFalse(Files.exists(root.resolve("var/home/toor")));
    }

    @Test
    void aFileSourceCannotCopyTheShadowFile() throws Exception {
        Agent.writeImageConfig(root, NARROW_IMAGE);
        refused("""
                #cloud-config
                bootsecrets:
                  secrets: {s: {from: "file:/etc/shadow"}}
                  files: {/etc/myapp/copy: {secret: s, mode: "0644"}}
                """, "user-data: bootsecrets.secrets.s: user-data may not use file: sources (userData.sources does not list file)");
    }

    @Test
    void aFileSourceOutsideReadPathsIsRefusedEvenWhenFileIsAllowed() throws Exception {
        Agent.writeImageConfig(root, "userData: {writePaths: [/etc/myapp/], sources: [file], readPaths: [/usr/lib/myapp/]}\n");
        refused("""
                #cloud-config
                bootsecrets:
                  secrets: {s: {from: "file:/etc/shadow"}}
                  files: {/etc/myapp/copy: {secret: s, mode: "0644"}}
                """, "user-data:bootsecrets.secrets.s (secrets.s): file:/etc/shadow is outside the paths user-data may read"
                + " (userData.readPaths: /usr/lib/myapp/)");
    }

    @Test
    void joinAndVaultSourcesAreRefused() throws Exception {
        refused("""
                #cloud-config
                bootsecrets:
                  secrets:
                    t: {from: "join:vault-token"}
                    p: {from: "vault:secret/otherteam/prod#password"}
                  files: {/etc/myapp/copy: {secret: t}, /etc/myapp/other: {secret: p}}
                """, "user-data: bootsecrets.secrets.t: user-data may not use join: sources (userData.sources does not list join)");
        assertTrue(check("#cloud-config\nbootsecrets: {secrets: {p: {from: \"vault:secret/otherteam/prod#password\"}}}\n")
                .out().contains("user-data: bootsecrets.secrets.p: user-data may not use vault: sources"
                        + " (userData.sources does not list vault)"));
    }

    @Test
    void theConfigsSecretsAreNotUserDatas() throws Exception {
        Files.createDirectories(root.resolve("usr/lib/bootsecrets/bootstrap"));
        Files.writeString(root.resolve("usr/lib/bootsecrets/bootstrap/api.key"), "image-api-key-9c8d7e\n");
        Agent.writeImageConfig(root, "secrets: {api-key: {from: \"file:/usr/lib/bootsecrets/bootstrap/api.key\"}}\n");
        refused("""
                #cloud-config
                bootsecrets:
                  files: {/etc/myapp/copy: {secret: api-key, mode: "0644"}}
                """, "user-data: bootsecrets.files./etc/myapp/copy: secret api-key is the config's; user-data may not use it"
                + " (userData.configSecrets is false)");
        refused("#cloud-config\nbootsecrets: {secrets: {api-key: {value: x}}}\n",
                "user-data: bootsecrets.secrets.api-key: the config declares this secret; user-data may not replace it"
                        + " (userData.configSecrets is false)");
        assertFalse(check("#cloud-config\nbootsecrets: {files: {/etc/myapp/copy: {secret: api-key}}}\n").all()
                .contains("image-api-key-9c8d7e"));
    }

    @Test
    void theAgentsOwnConfigIsNeverWritten() throws Exception {
        Agent.writeImageConfig(root, "userData: {writePaths: [/]}\n");
        for (String path : new String[] {"/etc/bootsecrets/config.d/99.yaml", "/var/lib/bootsecrets/manifest.json",
                "/run/bootsecrets/status.json", "/run/bootsecrets-podman/1000/app", "/var/lib/systemd/credential.secret"}) {
            Agent.Run run = boot("#cloud-config\nwrite_files: [{path: " + path + ", content: \"userData: {writePaths: [/]}\"}]\n");
            assertEquals(ExitCode.INVALID, run.exit(), run.all());
            assertTrue(run.err().contains("user-data:write_files[0]: " + path + " is never written for user-data"), run.all());
        }
        assertFalse(Files.exists(root.resolve("etc/bootsecrets/config.d/99.yaml")));
        assertFalse(Files.exists(root.resolve("var/lib/systemd/credential.secret")));
    }

    @Test
    void theJoinsKeyDirectoryAndTheConfigsCredentialsAreNeverWritten() throws Exception {
        Agent.writeImageConfig(root, """
                userData: {writePaths: [/]}
                secrets: {db: {value: "image-db-value-3e4f"}}
                credentials: {db: {secret: db}}
                files: {/run/credstore/api: {content: "image api\\n", mode: "0400"}}
                """);
        refused("#cloud-config\nwrite_files: [{path: /run/credstore/db, content: \"mine\"}]\n",
                "user-data:write_files[0]: /run/credstore/db is never written for user-data (the agent's own config and"
                        + " state, systemd's credential key, and the credentials and join material the config declares)");
        refused("#cloud-config\nwrite_files: [{path: /run/credstore/api, content: \"mine\"}]\n",
                "user-data: write_files[0]: the config declares this file; user-data never replaces it");
        refused("#cloud-config\nbootsecrets: {secrets: {m: {value: mine}}, credentials: {db: {secret: m}}}\n",
                "user-data: bootsecrets.credentials.db: the config declares this credential; user-data never replaces it");
        assertFalse(Files.exists(root.resolve("run/credstore")));
        assertFalse(boot("#cloud-config\nwrite_files: [{path: /run/credstore/db, content: \"mine\"}]\n").all()
                .contains("image-db-value-3e4f"), "a value in a refusal");
    }

    @Test
    void manySmallGzipEntriesHaveOneTotalLimit() throws Exception {
        // 400 entries of 64 KiB zeros each: every one is far under the limit, together 25 MiB
        String entry = Base64.getEncoder().encodeToString(gzip(new byte[64 * 1024]));
        StringBuilder userData = new StringBuilder("#cloud-config\nwrite_files:\n");
        for (int i = 0; i < 400; i++) {
            userData.append("  - {path: /etc/myapp/f").append(i).append(", encoding: gz+b64, content: ").append(entry).append("}\n");
        }
        Agent.Run run = boot(userData.toString());
        assertEquals(ExitCode.INVALID, run.exit(), run.all());
        assertTrue(run.err().matches("(?s).*user-data: write_files\\[1[0-9]\\]\\.content: decodes to more than 1048576 bytes"
                + " in all \\(userData\\.maxBytes.*"), run.all());
        assertEquals(1, run.err().lines().filter(l -> l.contains("decodes to more than")).count(), run.all());
        assertFalse(Files.exists(root.resolve("etc/myapp")));
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
