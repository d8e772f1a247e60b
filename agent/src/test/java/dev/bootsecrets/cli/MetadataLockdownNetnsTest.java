package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.testing.Netns;
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

    Netns netns;
    Process emulator;

    @BeforeEach
    void namespace() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root (ip netns, nft)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "needs nft (scripts/setup installs nftables)");
        netns = Netns.create("bslock");
        netns.ip("addr", "add", "169.254.169.254/32", "dev", "lo");
        emulator = new ProcessBuilder(netns.exec(agent("emulate", "--provider", "aws", "--listen", "169.254.169.254:80")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("emulator.log").toFile()).start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (curl(0, 0) != 0) {
            if (System.nanoTime() > until || !emulator.isAlive()) {
                throw new IOException("the emulator did not answer: " + Files.readString(dir.resolve("emulator.log")));
            }
            Thread.sleep(100);
        }
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
    void afterTheRunOnlyRootAndTheGroupReachTheMetadataService() throws Exception {
        Path root = Agent.sandbox(dir);
        Files.writeString(root.resolve("etc/group"), "imds:x:" + GROUP + ":\n", StandardOpenOption.APPEND);
        Agent.writeConfig(root, "metadata: {lockdown: {enabled: true, group: imds}}\n");
        assertEquals(0, curl(NOBODY, NOBODY), "before the run every user reaches it");

        Tool.Result run = Tool.run(netns.exec(agent("run", "--root", root.toString(), "--provider", "aws")));
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.stderr().contains("metadata service locked down: only root and group imds"), run.stderr());
        assertTrue(Files.exists(root.resolve("var/home/core/.ssh/authorized_keys")), "the run itself reached it");

        assertEquals(7, curl(NOBODY, NOBODY), "curl exit 7: could not connect");
        assertEquals(0, curl(0, 0));
        assertEquals(0, curl(NOBODY, GROUP));

        // A second run replaces the table rather than adding rules beside it.
        assertEquals(0, Tool.run(netns.exec(agent("run", "--root", root.toString(), "--provider", "aws"))).exit());
        Tool.Result tables = Tool.run(netns.exec(List.of("nft", "list", "tables")));
        assertEquals("table inet bootsecrets\n", tables.out(), tables.toString());
        assertEquals(7, curl(NOBODY, NOBODY));
    }

    @Test
    void withoutTheSettingEveryUserStillReachesIt() throws Exception {
        Path root = Agent.sandbox(dir);
        Tool.Result run = Tool.run(netns.exec(agent("run", "--root", root.toString(), "--provider", "aws")));
        assertEquals(0, run.exit(), run.toString());
        assertEquals(0, curl(NOBODY, NOBODY));
        assertEquals("", Tool.run(netns.exec(List.of("nft", "list", "tables"))).out());
    }

    /** curl's exit code for a request as this uid and (only) gid, inside the namespace; 0 for any HTTP answer. */
    int curl(int uid, int gid) throws Exception {
        return Tool.run(netns.exec(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
                "curl", "-s", "-o", "/dev/null", "-m", "5", URL))).exit();
    }

    /** This agent's build as its own process, on the test's class path. */
    static List<String> agent(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

}
