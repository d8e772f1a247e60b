package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.testing.HelperInstall;
import dev.bootsecrets.testing.PodmanSandbox;
import dev.bootsecrets.testing.Tool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containers get their secrets through podman: a run writes the value under /run, and
 * {@code podman-secret sync} registers it with podman's shell driver, whose lookup runs the
 * agent. Real podman 4.3 (runc, a busybox image made offline, no network, a storage of its own);
 * the agent as a process (the executable under test, or the JVM launcher), since podman runs it.
 */
class PodmanSecretsTest {
    private static final String VALUE = "pod-secret-9f3a7c1e";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Path root;
    private Path program;
    private PodmanSandbox podman;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(PodmanSandbox.available(), "needs root, podman, runc and busybox-static (scripts/setup)");
        root = Agent.sandbox(dir);
        program = Agent.BINARY.orElseGet(() -> HelperInstall.installUnchecked(dir.resolve("bin")).resolve("bootsecrets"));
        podman = PodmanSandbox.create(dir.resolve("podman"));
    }

    @Test
    void aContainerReadsTheSecretMountedAndAsEnvWhilePodmanKeepsNoValue() throws Exception {
        declare("db-pass", VALUE);
        podman.importBusybox();

        Tool.Result sync = sync();
        Tool.Result container = podman.podman("run", "--rm", "--network", "none",
                "--secret", "db-pass,type=mount,target=/run/secrets/db,uid=100,gid=200,mode=0440",
                "--secret", "db-pass,type=env,target=DB_PASS", PodmanSandbox.IMAGE,
                "/bin/sh", "-c", "stat -c '%u:%g %a' /run/secrets/db; cat /run/secrets/db; echo; echo \"$DB_PASS\"");

        assertEquals(0, sync.exit(), sync.toString());
        assertEquals(0, container.exit(), container.toString());
        assertEquals(List.of("100:200 440", VALUE, VALUE), container.out().lines().toList());
        Path file = root.resolve("run/bootsecrets/podman/db-pass");
        assertEquals("rw-------", Agent.mode(file));
        assertEquals("0:0", Agent.owner(file));
        assertEquals("rwx------", Agent.mode(file.getParent()));
        Tool.Result inspect = podman.podman("secret", "inspect", "db-pass");
        assertFalse(inspect.out().contains(VALUE), "podman secret inspect shows the value");
        JsonNode spec = JSON.readTree(inspect.stdout()).get(0).get("Spec");
        assertEquals("shell", spec.path("Driver").path("Name").asText());
        assertTrue(spec.path("Driver").path("Options").path("lookup").asText()
                .startsWith(program + " podman-secret lookup db-pass"), inspect.out());
        assertEquals("true", spec.path("Labels").path("dev.bootsecrets.managed").asText());
        assertEquals(List.of(), podman.filesHolding(VALUE), "the value is in podman's storage");
        assertFalse(sync.toString().contains(VALUE));
    }

    @Test
    void aSecondSyncChangesNothingAndANewValueReachesTheNextStartWithoutPodman() throws Exception {
        declare("api", VALUE);
        podman.importBusybox();
        assertEquals(0, sync().exit());
        Path db = podman.storage().get(0).resolve("secrets/secrets.json");
        byte[] before = Files.readAllBytes(db);
        long modified = Files.getLastModifiedTime(db).toMillis();

        Tool.Result again = sync();
        declare("api", "rotated-value-2b7d");
        Agent.Run run = Agent.main("run", "--root", root.toString(), "--provider", "none");
        Tool.Result container = podman.podman("run", "--rm", "--network", "none", "--secret", "api", PodmanSandbox.IMAGE,
                "/bin/cat", "/run/secrets/api");

        assertEquals(0, again.exit(), again.toString());
        assertEquals(0, run.exit(), run.all());
        assertEquals("rotated-value-2b7d", container.out(), container.toString());
        assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(db), "podman's database changed");
        assertEquals(modified, Files.getLastModifiedTime(db).toMillis(), "podman's database was rewritten");
    }

    @Test
    void aDeclarationRemovedIsRemovedFromPodmanButTheUsersOwnSecretsStay() throws Exception {
        declare("gone", VALUE);
        assertEquals(0, sync().exit());
        assertEquals(0, podman.podman("mine".getBytes(StandardCharsets.UTF_8), "secret", "create", "mine", "-").exit());

        Agent.writeConfig(root, "secrets: {}\n");
        Agent.Run run = Agent.main("run", "--root", root.toString(), "--provider", "none");
        Tool.Result sync = sync();

        assertEquals(0, run.exit(), run.all());
        assertEquals(0, sync.exit(), sync.toString());
        assertFalse(Files.exists(root.resolve("run/bootsecrets/podman/gone")));
        assertTrue(podman.podman("secret", "inspect", "gone").exit() != 0, "the undeclared secret is still registered");
        assertEquals(0, podman.podman("secret", "inspect", "mine").exit(), "the user's own secret was removed");
        assertFalse(Files.exists(root.resolve("var/lib/bootsecrets/podman-secrets")), "the record outlived the last secret");
    }

    @Test
    void aSecretOfTheSameNameTheAgentDidNotMakeIsLeftAloneAndReported() throws Exception {
        assertEquals(0, podman.podman("theirs".getBytes(StandardCharsets.UTF_8), "secret", "create", "taken", "-").exit());
        declare("taken", VALUE);

        Tool.Result sync = sync();

        assertEquals(ExitCode.PARTIAL, sync.exit(), sync.toString());
        assertTrue(sync.stderr().contains("podman secret taken: podman already has a secret of this name that bootsecrets"
                + " did not make"), sync.stderr());
        JsonNode spec = JSON.readTree(podman.podman("secret", "inspect", "taken").stdout()).get(0).get("Spec");
        assertEquals("file", spec.path("Driver").path("Name").asText(), "the user's secret was replaced");
    }

    @Test
    void lookupPrintsOnlyTheValueAndFailsWithoutOne() throws Exception {
        declare("one", VALUE);

        Tool.Result lookup = agent("podman-secret", "lookup", "one", "--root", root.toString());
        Tool.Result missing = agent("podman-secret", "lookup", "other", "--root", root.toString());
        Tool.Result store = agent("podman-secret", "store", "one", "--root", root.toString());

        assertEquals(0, lookup.exit(), lookup.toString());
        assertEquals(VALUE, lookup.out());
        assertEquals("", lookup.stderr());
        assertEquals(1, missing.exit());
        assertTrue(missing.stderr().contains("podman secret other: no value"), missing.stderr());
        assertEquals(0, store.exit());
        assertEquals(VALUE, Files.readString(root.resolve("run/bootsecrets/podman/one")), "store changed the value");
    }

    /** Config declaring podman secret {@code name} with {@code value}, and a run that writes it. */
    private void declare(String name, String value) throws Exception {
        Agent.writeConfig(root, """
                secrets:
                  s: {value: "%s"}
                podman:
                  %s: {secret: s}
                """.formatted(value, name));
        Agent.Run run = Agent.main("run", "--root", root.toString(), "--provider", "none");
        assertEquals(0, run.exit(), run.all());
    }

    private Tool.Result sync() throws Exception {
        return agent("podman-secret", "sync", "--root", root.toString(), "--verbose");
    }

    private Tool.Result agent(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(args));
        java.util.Map<String, String> env = new java.util.HashMap<>(podman.env());
        env.put("BOOTSECRETS_JAVA", System.getProperty("java.home"));
        return Tool.run(command, env, new byte[0], Duration.ofMinutes(3));
    }
}
