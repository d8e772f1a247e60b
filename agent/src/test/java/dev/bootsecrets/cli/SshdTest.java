package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Keys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real check of an authorized_keys: OpenSSH's sshd on 127.0.0.1 (a private config on a
 * free port) lets in the key the metadata service served, and refuses one it did not.
 * The test user exists on this machine (sshd asks the host's passwd) with its home inside
 * the sandbox root the agent wrote to.
 */
class SshdTest {
    @TempDir
    Path dir;

    String user;
    Process sshd;

    @AfterEach
    void cleanUp() throws Exception {
        if (sshd != null) {
            sshd.destroy();
            sshd.waitFor(10, TimeUnit.SECONDS);
        }
        if (user != null) {
            exec("userdel", user);
        }
    }

    @Test
    void sshdLetsTheMetadataKeyInAndNoOther() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: adds a user and starts sshd");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Keys.Pair served = Keys.generate(dir, "served", "ed25519");
        Keys.Pair other = Keys.generate(dir, "other", "ed25519");

        Path root = Agent.sandbox(dir);
        user = "bstest" + ThreadLocalRandom.current().nextInt(10000, 99999);
        Path home = root.resolve("var/home/" + user);
        exec("useradd", "--no-create-home", "--home-dir", home.toString(), "--shell", "/bin/sh", "-p", "*", user);
        int uid = Integer.parseInt(exec("id", "-u", user).strip());
        int gid = Integer.parseInt(exec("id", "-g", user).strip());
        Files.writeString(root.resolve("etc/passwd"), user + ":x:" + uid + ":" + gid + "::/var/home/" + user + ":/bin/sh\n",
                java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(root.resolve("etc/group"), user + ":x:" + gid + ":\n", java.nio.file.StandardOpenOption.APPEND);
        Agent.writeConfig(root, "defaultUser: " + user + "\n");

        Scenario s = Scenario.sample("aws");
        Scenario scenario = new Scenario(s.instanceId(), s.hostname(), s.region(), s.zone(),
                List.of(new Scenario.SshKey("served", served.publicKey())), s.attributes(), Optional.empty(), s.aws(),
                s.faults());
        try (Emulator emulator = Emulator.start("aws", new InetSocketAddress("127.0.0.1", 0), scenario)) {
            Agent.Run run = Agent.run(root, emulator.url().toString());
            assertEquals(0, run.exit(), run.all());
        }
        assertTrue(Files.isDirectory(home), "the agent creates a missing home for the user");

        int port = startSshd();
        assertEquals("in as " + user + "\n", ssh(served.privateKey(), port, 0));
        ssh(other.privateKey(), port, 255);
    }

    private int startSshd() throws Exception {
        Path hostKey = dir.resolve("host_key");
        exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString());
        Files.createDirectories(Path.of("/run/sshd"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, """
                ListenAddress 127.0.0.1
                Port %d
                HostKey %s
                PidFile %s
                AuthorizedKeysFile .ssh/authorized_keys
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes yes
                AllowUsers %s
                """.formatted(port, hostKey, dir.resolve("sshd.pid"), user));
        sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return port;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IOException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
    }

    private String ssh(Path key, int port, int expectedExit) throws Exception {
        Process p = new ProcessBuilder("ssh", "-i", key.toString(), "-p", Integer.toString(port),
                "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
                user + "@127.0.0.1", "echo in as $(id -un)")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(expectedExit, p.exitValue(), output + "\nsshd log:\n" + Files.readString(dir.resolve("sshd.log")));
        return output;
    }

    private static String exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}
