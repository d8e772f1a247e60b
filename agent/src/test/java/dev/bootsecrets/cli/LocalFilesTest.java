package dev.bootsecrets.cli;

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
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What local users (and passwd entries) plant must not steer a write or a chown: the attacks of
 * docs/security.md "Local users' files", each run through the whole boot flow.
 */
class LocalFilesTest {
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

    void serve(String userData) throws Exception {
        Scenario s = Scenario.sample("aws");
        emulator.close();
        emulator = Emulator.start("aws", new InetSocketAddress("127.0.0.1", 0), new Scenario(s.instanceId(), s.hostname(),
                s.region(), s.zone(), s.sshKeys(), s.attributes(), Optional.of(userData.getBytes(StandardCharsets.UTF_8)),
                s.aws(), s.faults()));
    }

    Agent.Run run() {
        return Agent.run(root, emulator.url().toString());
    }

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
        serve("#cloud-config\nbootsecrets:\n  ssh:\n    operator: [\"" + KEY + "\"]\n");

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
        serve("""
                #cloud-config
                write_files:
                  - {path: /etc/myapp/extra.conf, content: "added=1\\n", append: true, permissions: "0644"}
                """);

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
        serve("""
                #cloud-config
                write_files:
                  - {path: /etc/myapp/extra.conf, content: "added=1\\n", append: true}
                """);

        Agent.Run run = run();

        assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
        assertTrue(run.err().contains("belongs to uid 1001, not to root"), run.err());
        assertEquals("from deploy\n", Files.readString(target));
        assertEquals("1001:0", owner(target));
    }
}
