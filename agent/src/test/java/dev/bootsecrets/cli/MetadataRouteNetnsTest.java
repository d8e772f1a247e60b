package dev.bootsecrets.cli;

import static dev.bootsecrets.cli.MetadataLockdownNetnsTest.agent;
import static dev.bootsecrets.cli.MetadataLockdownNetnsTest.ip;
import static dev.bootsecrets.cli.MetadataLockdownNetnsTest.startEmulator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Tool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    String netns;
    Process emulator;

    @BeforeEach
    void namespace() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root (ip netns)");
        netns = "bsroute-" + ProcessHandle.current().pid();
        ip("netns", "add", netns);
        ip("-n", netns, "link", "set", "lo", "up");
    }

    @AfterEach
    void remove() throws Exception {
        MetadataLockdownNetnsTest.stop(emulator, netns);
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
        ip("-n", netns, "route", "add", "prohibit", "169.254.169.254");
        Path root = Agent.sandbox(dir);
        Agent.writeConfig(root, "metadata: {imdsd: " + dir.resolve("no-imdsd.sock") + "}\n");
        Tool.Result run = Tool.run(inNetns(agent("run", "--root", root.toString(), "--provider", "aws")));
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
        ip("-n", netns, "-6", "addr", "add", address + "/128", "dev", "lo", "nodad");
        emulator = startEmulator(inNetns(agent("emulate", "--provider", provider, "--listen", "[" + address + "]:80")),
                dir.resolve("emulator.log"), () -> Tool.run(inNetns(List.of("curl", "-s", "-o", "/dev/null", "-m", "2",
                        "http://[" + address + "]/"))).exit() == 0);
        Path root = Agent.sandbox(dir);
        Tool.Result run = Tool.run(inNetns(agent("run", "--root", root.toString(), "--provider", provider, "--verbose")));
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.stderr().contains("169.254.169.254 is unreachable; using the IPv6 metadata address [" + address + "]"),
                run.stderr());
        String keys = Files.readString(root.resolve("var/home/core/.ssh/authorized_keys"));
        assertTrue(keys.contains(Scenario.sample(provider).sshKeys().getFirst().publicKey()), keys);
    }

    private List<String> inNetns(List<String> command) {
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        out.addAll(command);
        return out;
    }
}
