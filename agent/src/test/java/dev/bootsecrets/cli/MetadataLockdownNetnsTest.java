package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.testing.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * metadata.lockdown for real: a network namespace of its own holds the metadata address on
 * its loopback (as tests/boot/run does), the emulator listens there, the agent runs in it and
 * installs its nftables rules, and curl asks as root, as a member of the group and as nobody.
 */
class MetadataLockdownNetnsTest {
    static final int GROUP = 4242;
    static final int NOBODY = 65534;
    static final String URL = "http://169.254.169.254/latest/meta-data/instance-id";

    @TempDir
    Path dir;

    String netns;
    Process emulator;

    @BeforeEach
    void namespace() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root (ip netns, nft)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "needs nft (scripts/setup installs nftables)");
        netns = "bslock-" + ProcessHandle.current().pid();
        ip("netns", "add", netns);
        ip("-n", netns, "link", "set", "lo", "up");
        ip("-n", netns, "addr", "add", "169.254.169.254/32", "dev", "lo");
        emulator = startEmulator(inNetns(agent("emulate", "--provider", "aws", "--listen", "169.254.169.254:80")),
                dir.resolve("emulator.log"), () -> curl(0, 0) == 0);
    }

    /** What a test asks to know the emulator answers. */
    interface Probe {
        boolean answered() throws Exception;
    }

    /** Starts the emulator ({@code command}, in a namespace) and waits up to 30 s until {@code probe} reaches it. */
    static Process startEmulator(List<String> command, Path log, Probe probe) throws Exception {
        Process emulator = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!probe.answered()) {
            if (System.nanoTime() > until || !emulator.isAlive()) {
                emulator.destroy();
                throw new IOException("the emulator was not reached: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        return emulator;
    }

    @AfterEach
    void remove() throws Exception {
        stop(emulator, netns);
    }

    /** Stops the emulator and deletes the namespaces a test made (either may not have been made). */
    static void stop(Process emulator, String... namespaces) throws Exception {
        if (emulator != null) {
            emulator.destroy();
            emulator.waitFor(10, TimeUnit.SECONDS);
        }
        for (String ns : namespaces) {
            if (ns != null) {
                Tool.run(List.of("ip", "netns", "del", ns));
            }
        }
    }

    @Test
    void afterTheRunOnlyRootAndTheGroupReachTheMetadataService() throws Exception {
        Path root = Agent.sandbox(dir);
        Files.writeString(root.resolve("etc/group"), "imds:x:" + GROUP + ":\n", StandardOpenOption.APPEND);
        Agent.writeConfig(root, "metadata: {lockdown: {enabled: true, group: imds}}\n");
        assertEquals(0, curl(NOBODY, NOBODY), "before the run every user reaches it");

        Tool.Result run = Tool.run(inNetns(agent("run", "--root", root.toString(), "--provider", "aws")));
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.stderr().contains("metadata service locked down: only root and group imds"), run.stderr());
        assertTrue(Files.exists(root.resolve("var/home/core/.ssh/authorized_keys")), "the run itself reached it");

        assertEquals(7, curl(NOBODY, NOBODY), "curl exit 7: could not connect");
        assertEquals(0, curl(0, 0));
        assertEquals(0, curl(NOBODY, GROUP));

        // A second run replaces the table rather than adding rules beside it.
        assertEquals(0, Tool.run(inNetns(agent("run", "--root", root.toString(), "--provider", "aws"))).exit());
        Tool.Result tables = Tool.run(inNetns(List.of("nft", "list", "tables")));
        assertEquals("table inet bootsecrets\n", tables.out(), tables.toString());
        assertEquals(7, curl(NOBODY, NOBODY));
    }

    @Test
    void withoutTheSettingEveryUserStillReachesIt() throws Exception {
        Path root = Agent.sandbox(dir);
        Tool.Result run = Tool.run(inNetns(agent("run", "--root", root.toString(), "--provider", "aws")));
        assertEquals(0, run.exit(), run.toString());
        assertEquals(0, curl(NOBODY, NOBODY));
        assertEquals("", Tool.run(inNetns(List.of("nft", "list", "tables"))).out());
    }

    /** curl's exit code for a request as this uid and (only) gid, inside the namespace; 0 for any HTTP answer. */
    int curl(int uid, int gid) throws Exception {
        return Tool.run(inNetns(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
                "curl", "-s", "-o", "/dev/null", "-m", "5", URL))).exit();
    }

    List<String> inNetns(List<String> command) {
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        out.addAll(command);
        return out;
    }

    /** This agent's build as its own process, on the test's class path. */
    static List<String> agent(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    static void ip(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Tool.Result result = Tool.run(command);
        if (result.exit() != 0) {
            throw new IOException(command + ": " + result);
        }
    }
}
