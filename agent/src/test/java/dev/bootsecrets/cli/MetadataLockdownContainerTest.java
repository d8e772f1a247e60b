package dev.bootsecrets.cli;

import static dev.bootsecrets.cli.MetadataLockdownNetnsTest.agent;
import static dev.bootsecrets.cli.MetadataLockdownNetnsTest.ip;
import static dev.bootsecrets.cli.MetadataLockdownNetnsTest.startEmulator;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bootsecrets.testing.Tool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * metadata.lockdown and containers: three network namespaces the test makes, a "cloud" holding
 * the metadata address with the emulator, the "host" that routes to it and runs the agent, and a
 * "container" behind a veth pair whose traffic the host forwards, as a bridge or NAT network's
 * is. After the run the container, even as its root, no longer reaches the service, unless
 * {@code metadata.lockdown.containers} lets it.
 */
class MetadataLockdownContainerTest {
    static final String URL = "http://169.254.169.254/latest/meta-data/instance-id";

    @TempDir
    Path dir;
    String cloud;
    String host;
    String container;
    Process emulator;

    @BeforeEach
    void network() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root (ip netns, nft)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "needs nft (scripts/setup installs nftables)");
        long pid = ProcessHandle.current().pid();
        cloud = "bsc-" + pid;
        host = "bsh-" + pid;
        container = "bsk-" + pid;
        for (String ns : List.of(cloud, host, container)) {
            ip("netns", "add", ns);
            ip("-n", ns, "link", "set", "lo", "up");
        }
        link(host, "169.254.10.1/30", cloud, "169.254.10.2/30", "h" + pid);
        link(host, "169.254.20.1/30", container, "169.254.20.2/30", "k" + pid);
        ip("-n", cloud, "addr", "add", "169.254.169.254/32", "dev", "lo");
        ip("-n", cloud, "route", "add", "169.254.20.0/30", "via", "169.254.10.1");
        ip("-n", host, "route", "add", "169.254.169.254/32", "via", "169.254.10.2");
        ip("-n", container, "route", "add", "169.254.169.254/32", "via", "169.254.20.1");
        Tool.run(in(host, List.of("sysctl", "-q", "-w", "net.ipv4.ip_forward=1")));
        emulator = startEmulator(in(cloud, agent("emulate", "--provider", "aws", "--listen", "169.254.169.254:80")),
                dir.resolve("emulator.log"), () -> curl(container) == 0);
    }

    @AfterEach
    void remove() throws Exception {
        MetadataLockdownNetnsTest.stop(emulator, cloud, host, container);
    }

    /** Without the setting the container's root is refused (curl exit 7: could not connect); with it, it passes. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aContainersForwardedTrafficIsRefusedUnlessTheImageLetsItThrough(boolean containers) throws Exception {
        Path root = Agent.sandbox(dir);
        Agent.writeConfig(root, "metadata: {lockdown: {enabled: true, containers: " + containers + "}}\n");
        Tool.Result run = Tool.run(in(host, agent("run", "--root", root.toString(), "--provider", "aws")));
        assertEquals(0, run.exit(), run.toString());
        assertEquals(containers, run.stderr().contains("only root and containers may reach it"), run.stderr());
        assertEquals(containers ? 0 : 7, curl(container), "the container's root");
        assertEquals(0, curl(host), "the host's root still reaches it");
    }

    /** A veth pair between two namespaces, each end with its address, up. */
    static void link(String a, String addressA, String b, String addressB, String name) throws Exception {
        ip("link", "add", name + "a", "netns", a, "type", "veth", "peer", "name", name + "b", "netns", b);
        ip("-n", a, "addr", "add", addressA, "dev", name + "a");
        ip("-n", b, "addr", "add", addressB, "dev", name + "b");
        ip("-n", a, "link", "set", name + "a", "up");
        ip("-n", b, "link", "set", name + "b", "up");
    }

    /** curl's exit code for a request as root inside {@code ns}; 0 for any HTTP answer. */
    static int curl(String ns) throws Exception {
        return Tool.run(in(ns, List.of("curl", "-s", "-o", "/dev/null", "-m", "5", URL))).exit();
    }

    static List<String> in(String ns, List<String> command) {
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        out.addAll(command);
        return out;
    }
}
