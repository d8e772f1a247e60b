package dev.bootsecrets.cli;

import static dev.bootsecrets.cli.MetadataLockdownNetnsTest.agent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Netns;
import dev.bootsecrets.testing.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The route to the metadata service, each case in a network namespace of its own: an IPv6-only
 * one where the cloud's IPv6 address is the only one (AWS, GCP), and one where systemd's lock
 * (a prohibit route to 169.254.169.254) stands and no systemd-imdsd answers.
 */
class MetadataRouteNetnsTest {
    @TempDir
    Path dir;

    Netns netns;
    Process emulator;

    @BeforeEach
    void namespace() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root (ip netns)");
        netns = Netns.create("bsroute");
    }

    @AfterEach
    void remove() throws Exception {
        if (emulator != null) {
            emulator.destroy();
            emulator.waitFor(10, TimeUnit.SECONDS);
        }
        if (netns != null) {
            netns.close();
        }
    }

    @Test
    void awsOnAnIpv6OnlySubnetUsesFd00Ec2254() throws Exception {
        ipv6Only("aws", "fd00:ec2::254");
    }

    @Test
    void gcpOnAnIpv6OnlySubnetUsesFd20Ce254() throws Exception {
        ipv6Only("gcp", "fd20:ce::254");
    }

    @Test
    void aLockedMetadataAddressWithoutImdsdIsSaidInOneLine() throws Exception {
        netns.ip("route", "add", "prohibit", "169.254.169.254");
        Path root = Agent.sandbox(dir);
        Agent.writeConfig(root, "metadata: {imdsd: " + dir.resolve("no-imdsd.sock") + "}\n");
        Tool.Result run = Tool.run(netns.exec(agent("run", "--root", root.toString(), "--provider", "aws")));
        assertEquals(ExitCode.UNREACHABLE, run.exit(), run.toString());
        List<String> errors = run.stderr().lines().filter(l -> l.startsWith("<3>")).toList();
        assertEquals(1, errors.size(), run.stderr());
        assertTrue(errors.getFirst().contains("169.254.169.254: connecting is not permitted: systemd locked the metadata address"),
                errors.getFirst());
        assertTrue(errors.getFirst().contains("no systemd-imdsd answers at " + dir.resolve("no-imdsd.sock")), errors.getFirst());
        assertEquals(List.of(), Agent.files(root.resolve("var/home")));
    }

    /** Only the cloud's IPv6 address, on the namespace's loopback, and no IPv4 route to 169.254.169.254. */
    private void ipv6Only(String provider, String address) throws Exception {
        netns.ip("-6", "addr", "add", address + "/128", "dev", "lo", "nodad");
        emulator = new ProcessBuilder(netns.exec(agent("emulate", "--provider", provider, "--listen", "[" + address + "]:80")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("emulator.log").toFile()).start();
        waitForPort(address);
        Path root = Agent.sandbox(dir);
        Tool.Result run = Tool.run(netns.exec(agent("run", "--root", root.toString(), "--provider", provider, "--verbose")));
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.stderr().contains("169.254.169.254 is unreachable; using the IPv6 metadata address [" + address + "]"),
                run.stderr());
        String keys = Files.readString(root.resolve("var/home/core/.ssh/authorized_keys"));
        assertTrue(keys.contains(Scenario.sample(provider).sshKeys().getFirst().publicKey()), keys);
    }

    private void waitForPort(String address) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Tool.run(netns.exec(List.of("curl", "-s", "-o", "/dev/null", "-m", "2", "http://[" + address + "]/"))).exit() != 0) {
            if (System.nanoTime() > until || !emulator.isAlive()) {
                throw new IOException("the emulator did not answer: " + Files.readString(dir.resolve("emulator.log")));
            }
            Thread.sleep(100);
        }
    }
}
