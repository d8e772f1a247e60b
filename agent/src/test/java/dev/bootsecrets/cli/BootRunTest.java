package dev.bootsecrets.cli;

import static dev.bootsecrets.cli.Agent.mode;
import static dev.bootsecrets.cli.Agent.owner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.Scenario;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole boot flow against the AWS emulator into a sandbox root, checked on disk; with the
 * attacks of docs/security.md "Local users' files".
 */
class BootRunTest {
    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHlv/eesACFaKdvwGHGGOZC8j5NAjJRnFlrvTmuev2JZ attacker@x";
    static final String ROOT_ONLY = "root-only-line-Zq7\n";

    @TempDir
    Path dir;

    Path root;
    Emulator emulator;

    @BeforeEach
    void start() throws Exception {
        root = Agent.sandbox(dir);
        emulator = Emulator.start("aws", new InetSocketAddress("127.0.0.1", 0), Scenario.sample("aws"));
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    Scenario withUserData(String userData) {
        Scenario s = Scenario.sample("aws");
        return new Scenario(s.instanceId(), s.hostname(), s.region(), s.zone(), s.sshKeys(), s.attributes(),
                Optional.of(userData.getBytes(StandardCharsets.UTF_8)), s.aws(), s.faults());
    }

    void serve(Scenario scenario) throws Exception {
        emulator.close();
        emulator = Emulator.start("aws", new InetSocketAddress("127.0.0.1", 0), scenario);
    }

    Agent.Run run(String... extra) {
        return Agent.run(root, emulator.url().toString(), extra);
    }

    @Test
    void writesKeysAndFilesWithTheirOwnersAndModes() throws Exception {
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());

        Path coreKeys = root.resolve("var/home/core/.ssh/authorized_keys");
        String keys = Files.readString(coreKeys);
        for (Scenario.SshKey key : Scenario.sample("aws").sshKeys()) {
            assertTrue(keys.contains(key.publicKey()), "metadata key " + key.name() + " missing");
        }
        assertTrue(keys.contains("alice@laptop"), "ssh_authorized_keys from cloud-config missing");
        assertEquals("1000:1000", owner(coreKeys));
        assertEquals("rw-------", mode(coreKeys));
        assertEquals("1000:1000", owner(coreKeys.getParent()));
        assertEquals("rwx------", mode(coreKeys.getParent()));

        Path deployKeys = root.resolve("var/home/deploy/.ssh/authorized_keys");
        assertTrue(Files.readString(deployKeys).contains("deploy@ci"));
        assertFalse(Files.readString(deployKeys).contains("alice@laptop"));
        assertEquals("1001:1001", owner(deployKeys));

        Path motd = root.resolve("etc/motd");
        assertEquals("Welcome to a bootsecrets demo instance\n", Files.readString(motd));
        assertEquals("0:0", owner(motd));
        assertEquals("rw-r--r--", mode(motd));

        Path env = root.resolve("etc/myapp/config.env");
        assertEquals("LOG_LEVEL=info\n", Files.readString(env));
        assertEquals("990:990", owner(env));
        assertEquals("rw-r-----", mode(env));
        assertEquals("0:0", owner(env.getParent()));
        assertEquals("rwxr-xr-x", mode(env.getParent()));

        Path token = root.resolve("etc/myapp/api.token");
        assertEquals("demo-registry-token-0001", Files.readString(token));
        assertEquals("990:990", owner(token));
        assertEquals("r--------", mode(token));

        Path credential = root.resolve("run/credstore/api-token");
        assertEquals("demo-registry-token-0001", Files.readString(credential));
        assertEquals("0:0", owner(credential));
        assertEquals("r--------", mode(credential));
        assertEquals("rw-------", mode(root.resolve("run/ostree/auth.json")));
        assertEquals("rw-------", mode(root.resolve("run/bootsecrets/env/myapp.env")));

        Path status = root.resolve("run/bootsecrets/status.json");
        assertEquals("rw-------", mode(status));
        String json = Files.readString(status);
        assertTrue(json.contains("\"outcome\" : \"applied\""), json);
        assertTrue(json.contains("/etc/myapp/api.token"), json);
    }

    @Test
    void aSecondRunChangesNothing() throws Exception {
        assertEquals(0, run().exit());
        Path keys = root.resolve("var/home/core/.ssh/authorized_keys");
        Object inode = Files.getAttribute(keys, "unix:ino");
        List<String> before = Agent.files(root);

        Agent.Run second = run();
        assertEquals(0, second.exit(), second.all());
        assertEquals(inode, Files.getAttribute(keys, "unix:ino"));
        assertEquals(before, Agent.files(root));
        assertTrue(second.err().contains("8 outputs: 0 created, 0 updated, 8 unchanged, 0 failed, 0 removed"), second.err());
    }

    @Test
    void linesTheUserAddedToAuthorizedKeysAreKept() throws Exception {
        assertEquals(0, run().exit());
        Path keys = root.resolve("var/home/core/.ssh/authorized_keys");
        Files.writeString(keys, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMine me@home\n" + Files.readString(keys));
        assertEquals(0, run().exit());
        assertTrue(Files.readString(keys).startsWith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMine me@home\n"));
        assertEquals(1, Files.readString(keys).split("alice@laptop", -1).length - 1);
    }

    @Test
    void dryRunPrintsThePlanAndWritesNothing() throws Exception {
        List<String> before = Agent.files(root);
        Agent.Run run = run("--dry-run");
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.out().contains("/etc/myapp/api.token"), run.out());
        assertTrue(run.out().contains("myapp:myapp"), run.out());
        assertTrue(run.out().contains("0400"), run.out());
        assertFalse(run.all().contains("demo-registry-token-0001"));
        assertEquals(before, Agent.files(root));
    }

    @Test
    void invalidUserDataWritesNothingAndKeepsEarlierFiles() throws Exception {
        assertEquals(0, run().exit());
        List<String> before = Agent.files(root);
        String motd = Files.readString(root.resolve("etc/motd"));

        serve(withUserData("""
                #cloud-config
                write_files:
                  - path: /etc/motd
                    content: "changed\\n"
                  - path: /etc/other
                    content: x
                    permissions: "0899"
                """));
        Agent.Run run = run();
        assertEquals(ExitCode.INVALID, run.exit(), run.all());
        assertTrue(run.err().contains("write_files[1].permissions"), run.err());
        assertEquals(motd, Files.readString(root.resolve("etc/motd")));
        assertEquals(before, Agent.files(root));
    }

    @Test
    void anUnknownUserFailsThePlanBeforeAnyWrite() throws Exception {
        serve(withUserData("""
                #cloud-config
                write_files:
                  - {path: /etc/first, content: "x"}
                bootsecrets:
                  ssh:
                    nobody-here: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMine me@home"]
                """));
        List<String> before = Agent.files(root);
        Agent.Run run = run();
        assertEquals(ExitCode.INVALID, run.exit(), run.all());
        assertTrue(run.err().contains("nobody-here"), run.err());
        assertFalse(Files.exists(root.resolve("etc/first")));
        assertFalse(Files.exists(root.resolve("var/home/core/.ssh")));
        List<String> after = new java.util.ArrayList<>(Agent.files(root));
        after.removeAll(before);
        assertEquals(List.of("/run/bootsecrets/lock", "/run/bootsecrets/status.json"), after);
    }

    @Test
    void aTraversalPathIsRefused() throws Exception {
        serve(withUserData("""
                #cloud-config
                write_files:
                  - {path: /etc/../root/.bashrc, content: "x"}
                """));
        Agent.Run run = run();
        assertEquals(ExitCode.INVALID, run.exit(), run.all());
        assertTrue(run.err().contains("write_files[0]"), run.err());
        assertFalse(Files.exists(root.resolve("root/.bashrc")));
        assertFalse(Files.exists(root.resolve("var/home/core/.ssh")));
    }

    @Test
    void systemdImdsUserDataBecomesCredentials() throws Exception {
        serve(withUserData("""
                {"systemd.credentials": [
                  {"name": "db-password", "text": "imds-text-value-1"},
                  {"name": "tls.key", "data": "aW1kcy1kYXRhLXZhbHVl"},
                  {"name": "api", "encrypted": "k6iUCUh0RJCQyvL8k8q1UyAAAAA="}
                ]}
                """));
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        assertEquals("imds-text-value-1", Files.readString(root.resolve("run/credstore/db-password")));
        assertEquals("imds-data-value", Files.readString(root.resolve("run/credstore/tls.key")));
        Path sealed = root.resolve("run/credstore.encrypted/api");
        assertEquals("k6iUCUh0RJCQyvL8k8q1UyAAAAA=", Files.readString(sealed));
        assertEquals("r--------", mode(sealed));
        assertEquals("0:0", owner(sealed));
    }

    @Test
    void anUnreachableMetadataServiceWritesNothing() throws Exception {
        Agent.writeConfig(root, "metadata: {deadline: 2s}\n");
        String url = emulator.url().toString();
        emulator.close();
        Agent.Run run = Agent.run(root, url);
        assertEquals(ExitCode.UNREACHABLE, run.exit(), run.all());
        assertTrue(run.err().contains("/latest/api/token"), run.err());
        assertFalse(Files.exists(root.resolve("var/home/core/.ssh")));
        assertFalse(Files.exists(root.resolve("etc/motd")));
    }

    @Test
    void flakyMetadataServiceStillSucceeds() throws Exception {
        emulator.faults().failNext(3);
        emulator.faults().dropNext(2);
        emulator.faults().expireTokensAfter(3);
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        assertTrue(Files.exists(root.resolve("etc/myapp/api.token")));
    }

    @Test
    void aPlantedSymlinkFailsThatOutputOnlyAndTouchesNothingOutside() throws Exception {
        Path target = root.resolve("etc/shadow");
        Files.writeString(target, "root:*:1::::::\n");
        Path ssh = root.resolve("var/home/deploy/.ssh");
        Files.createSymbolicLink(ssh, target);
        Files.setAttribute(ssh, "unix:uid", 1001, java.nio.file.LinkOption.NOFOLLOW_LINKS);

        Agent.Run run = run();
        assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
        assertTrue(run.err().contains("/var/home/deploy/.ssh"), run.err());
        assertEquals("root:*:1::::::\n", Files.readString(target));
        assertTrue(Files.exists(root.resolve("var/home/core/.ssh/authorized_keys")), "other outputs still applied");
        String status = Files.readString(root.resolve("run/bootsecrets/status.json"));
        assertTrue(status.contains("\"outcome\" : \"partial\""), status);
        assertTrue(status.contains("\"result\" : \"failed\""), status);
    }

    // --- what local users (and passwd entries) plant: docs/security.md, "Local users' files" ---

    /** A root-only file, as /etc/shadow is. */
    Path rootOnlyFile() throws IOException {
        Path secret = root.resolve("etc/root-only");
        Files.writeString(secret, ROOT_ONLY);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        return secret;
    }

    /** No file under the root but {@code original} holds the root-only line. */
    void assertNotCopied(Path original) throws IOException {
        for (String file : Agent.files(root)) {
            Path p = root.resolve(file.substring(1));
            if (!Files.isSameFile(p, original)) {
                assertFalse(Files.readString(p, StandardCharsets.ISO_8859_1).contains(ROOT_ONLY.strip()), file);
            }
        }
        assertEquals(ROOT_ONLY, Files.readString(original));
        assertEquals("0:0", owner(original));
    }

    @Test
    void aUserSharingRootsHomeGetsNoKeysAndRootsSshIsLeftAlone() throws Exception {
        Files.writeString(root.resolve("etc/passwd"), "operator:x:11:0::/root:/sbin/nologin\n", StandardOpenOption.APPEND);
        Path ssh = Files.createDirectories(root.resolve("root/.ssh"));
        Files.setPosixFilePermissions(ssh.getParent(), PosixFilePermissions.fromString("r-xr-x---"));
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        Path keys = Files.writeString(ssh.resolve("authorized_keys"), "ssh-ed25519 AAAA root@admin\n");
        serve(withUserData("#cloud-config\nbootsecrets:\n  ssh:\n    operator: [\"" + KEY + "\"]\n"));

        Agent.Run run = run();

        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("ssh keys for operator"), run.err());
        assertTrue(run.err().contains("/root belongs to uid 0, not to operator (uid 11)"), run.err());
        assertEquals("0:0", owner(ssh.getParent()));
        assertEquals("0:0", owner(ssh));
        assertEquals("0:0", owner(keys));
        assertEquals("ssh-ed25519 AAAA root@admin\n", Files.readString(keys));
        assertTrue(Files.exists(root.resolve("var/home/core/.ssh/authorized_keys")), "other users still get keys");
    }

    @Test
    void aHomeOwnedByAnotherUserGetsNoSshDirectory() throws Exception {
        Path home = root.resolve("var/home/deploy");
        Files.setAttribute(home, "unix:uid", 1000);
        Files.setAttribute(home, "unix:gid", 1000);

        Agent.Run run = run();

        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("ssh keys for deploy"), run.err());
        assertTrue(run.err().contains("/var/home/deploy belongs to uid 1000, not to deploy (uid 1001)"), run.err());
        assertFalse(Files.exists(home.resolve(".ssh"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("1000:1000", owner(home));
    }

    @Test
    void anSshDirectoryOwnedByAnotherUserIsNotChowned() throws Exception {
        Path ssh = Files.createDirectories(root.resolve("var/home/deploy/.ssh"));
        Files.setAttribute(ssh, "unix:uid", 1000);

        Agent.Run run = run();

        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("/var/home/deploy/.ssh belongs to uid 1000, not to deploy (uid 1001)"), run.err());
        assertEquals("1000:0", owner(ssh));
        assertFalse(Files.exists(ssh.resolve("authorized_keys")));
    }

    @Test
    void aHardLinkPlantedAsAuthorizedKeysIsNotReadIntoTheNewFile() throws Exception {
        Path secret = rootOnlyFile();
        Path ssh = Files.createDirectories(root.resolve("var/home/core/.ssh"));
        Files.setAttribute(ssh, "unix:uid", 1000);
        Files.setAttribute(ssh, "unix:gid", 1000);
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        Path keys = Files.createLink(ssh.resolve("authorized_keys"), secret); // as root: whatever protected_hardlinks says

        Agent.Run run = run();

        assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
        assertTrue(run.err().contains("/var/home/core/.ssh/authorized_keys: unsafe path"), run.err());
        assertTrue(run.err().contains("has 2 hard links"), run.err());
        assertTrue(Files.isSameFile(keys, secret), "the link is left as it was");
        assertNotCopied(secret);
        assertTrue(Files.exists(root.resolve("var/home/deploy/.ssh/authorized_keys")), "other users still get keys");
    }

    @Test
    void aHardLinkPlantedAsAnAppendTargetIsNotReadIntoTheNewFile() throws Exception {
        Path secret = rootOnlyFile();
        Files.createDirectories(root.resolve("etc/myapp"));
        Path target = Files.createLink(root.resolve("etc/myapp/extra.conf"), secret);
        serve(withUserData("""
                #cloud-config
                write_files:
                  - {path: /etc/myapp/extra.conf, content: "added=1\\n", append: true, permissions: "0644"}
                """));

        Agent.Run run = run();

        assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
        assertTrue(run.err().contains("/etc/myapp/extra.conf: unsafe path"), run.err());
        assertTrue(Files.isSameFile(target, secret), "the link is left as it was");
        assertNotCopied(secret);
    }

    @Test
    void anAppendTargetOwnedByAnotherUserIsNotReadIntoTheNewFile() throws Exception {
        Files.createDirectories(root.resolve("etc/myapp"));
        Path target = Files.writeString(root.resolve("etc/myapp/extra.conf"), "from deploy\n");
        Files.setAttribute(target, "unix:uid", 1001);
        serve(withUserData("""
                #cloud-config
                write_files:
                  - {path: /etc/myapp/extra.conf, content: "added=1\\n", append: true}
                """));

        Agent.Run run = run();

        assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
        assertTrue(run.err().contains("belongs to uid 1001, not to root"), run.err());
        assertEquals("from deploy\n", Files.readString(target));
        assertEquals("1001:0", owner(target));
    }
}
