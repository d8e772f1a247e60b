package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Tool;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Early boot, where root's home and /tmp may be read-only (or not mounted yet): the agent
 * writes nothing outside its target root to start. JNA's helper is loaded from beside the
 * executable instead of unpacked into a cache directory. Runs the executable under test
 * ({@code -Dbootsecrets.binary}: the JVM launcher or the native image) in a mount namespace
 * of its own whose $HOME and /tmp are read-only, with TMPDIR and XDG_CACHE_HOME unset.
 */
class ReadOnlyStartTest {
    private static final String READ_ONLY = """
            set -e
            for dir in /tmp "$HOME"; do
                mount --bind "$dir" "$dir"
                mount -o remount,bind,ro "$dir"
            done
            exec env -u TMPDIR -u XDG_CACHE_HOME "$@"
            """;

    @Test
    void theFullJobRunsWithHomeAndTmpReadOnly() throws Exception {
        assumeTrue(Agent.BINARY.isPresent(), "runs the built executable: -Dbootsecrets.binary=PATH");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: unshare --mount");
        // The target root lies outside /tmp and $HOME (JUnit's temporary directories are under /tmp).
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "read-only-start-");
        assumeTrue(!work.startsWith("/tmp") && !work.startsWith(System.getProperty("user.home")),
                "the build tree must lie outside /tmp and $HOME, which the test makes read-only");
        Path root = Agent.sandbox(work);
        Agent.Run run;
        try (Emulator emulator = Emulator.start("aws", new InetSocketAddress("127.0.0.1", 0), Scenario.sample("aws"))) {
            List<String> argv = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                    READ_ONLY, "sh", Agent.BINARY.get().toString(), "run", "--root", root.toString(), "--provider", "aws",
                    "--metadata-url", emulator.url().toString(), "--verbose"));
            Tool.Result result = Tool.run(argv, Map.of(), new byte[0]);
            run = new Agent.Run(result.exit(), new String(result.stdout(), StandardCharsets.UTF_8), result.stderr());
        }
        assertEquals(Optional.empty(), ProcessRun.gap(run), run.all());
        assertEquals(0, run.exit(), run.all());
        assertTrue(Files.readString(root.resolve("var/home/core/.ssh/authorized_keys")).contains("ssh-ed25519"), run.all());
        assertTrue(Files.exists(root.resolve("etc/myapp/api.token")), run.all());
        assertTrue(Files.readString(root.resolve("run/bootsecrets/status.json")).contains("\"exitCode\" : 0"), run.all());
    }
}
