package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bootsecrets.secret.Redaction;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code bootsecrets demo}, the README's first command: each provider's whole flow, the join. */
class DemoTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"aws", "gcp", "azure", "nocloud"})
    void theDemoWritesEveryOutputForEachProvider(String provider) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the demo chowns, so it runs as root");
        Path root = dir.resolve("root");
        Agent.Run run = Agent.main("demo", "--dir", root.toString(), "--provider", provider);
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.out().contains("exit 0 (applied)"), run.out());
        if (!provider.equals("nocloud")) { // the NoCloud sample seed declares keys only
            assertEquals("990:990", Agent.owner(root.resolve("etc/myapp/api.token")));
        }
        assertTrue(Files.readString(root.resolve("var/home/core/.ssh/authorized_keys")).contains("ssh-"));
        assertTrue(Agent.main("status", "--root", root.toString()).out().contains("last run: applied (exit 0)"));
    }

    @Test
    void theDemoJoinsThenJoinsAgainWithTheCertificate() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the demo chowns, so it runs as root");
        Path root = dir.resolve("root");
        Agent.Run run = Agent.main("demo", "--dir", root.toString(), "--join");
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.out().contains("deleted once used; a second run joined again with the machine's certificate"
                + " (mutual TLS): exit 0"), run.out());
        assertEquals("demo-db-password-0001", Files.readString(root.resolve("etc/myapp/db.password")));
    }

    @Test
    void aDryRunDemoWritesNothingOutsideItsSandbox() {
        Agent.Run run = Agent.main("demo", "--dir", dir.resolve("root").toString(), "--dry-run");
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.out().contains("/etc/myapp/api.token"), run.out());
        assertTrue(Files.notExists(dir.resolve("root/etc/myapp/api.token")));
        assertTrue(Files.isRegularFile(dir.resolve("root/etc/passwd")), "a root the user named is kept");
    }

    /** The build's AOT training runs this; each run used to leave a root behind in /tmp. */
    @Test
    void aDryRunDemoWithoutADirectoryRemovesItsScratchRoot() {
        Agent.Run run = Agent.main("demo", "--dry-run");
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.out().contains("/etc/myapp/api.token"), run.out());
        Matcher sandbox = Pattern.compile("sandbox root: (\\S+) \\(removed when the dry run ends\\)").matcher(run.out());
        assertTrue(sandbox.find(), run.out());
        assertTrue(sandbox.group(1).contains("bootsecrets-demo-"), sandbox.group(1));
        assertTrue(Files.notExists(Path.of(sandbox.group(1)), LinkOption.NOFOLLOW_LINKS), sandbox.group(1));
    }

    /**
     * The first thing a person sees: every path, owner, source and the provider's name in
     * plain words, though the demos write short values ("gcp") that the redaction net holds.
     */
    @ParameterizedTest
    @ValueSource(strings = {"aws", "gcp", "azure", "nocloud", "join"})
    void theDemoListingAndStatusAreFreeOfMasks(String demo) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the demo chowns, so it runs as root");
        Path root = dir.resolve("demo-" + demo);
        Agent.Run run = demo.equals("join")
                ? Agent.main("demo", "--dir", root.toString(), "--join", "--verbose")
                : Agent.main("demo", "--dir", root.toString(), "--provider", demo, "--verbose");
        assertEquals(0, run.exit(), run.all());
        assertFalse(run.all().contains(Redaction.MASK), run.all());
        assertTrue(run.out().contains(root + "/etc"), run.out());
        Agent.Run status = Agent.main("status", "--root", root.toString());
        assertFalse(status.out().contains(Redaction.MASK), status.out());
        if (demo.equals("gcp")) {
            assertTrue(run.out().contains("gcp metadata, user-data:ssh_authorized_keys"), run.out());
            assertTrue(status.out().contains("from gcp metadata"), status.out());
            assertEquals("gcp", Files.readString(root.resolve("etc/myapp/cloud")).strip());
        }
    }
}
