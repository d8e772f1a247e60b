package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.testing.HelperInstall;
import dev.bootsecrets.testing.PodmanSandbox;
import dev.bootsecrets.testing.TestUser;
import dev.bootsecrets.testing.Tool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own (rootless) podman gets the secrets the config gives that user, and no one else
 * gets them: real users made for the test, their real rootless podman 4.3 (runc, newuidmap,
 * their own storage in their home), the agent as a process run by podman as that user.
 */
class RootlessPodmanSecretsTest {
    private static final String VALUE = "rootless-secret-5c2e81";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Path root;
    private Path program;
    private TestUser alice;
    private TestUser bob;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(PodmanSandbox.available() && TestUser.available(),
                "needs root, podman, runc, busybox-static and uidmap (scripts/setup)");
        // The users reach the target root, the launcher and their runtime directories through here.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        root = Agent.sandbox(dir);
        program = Agent.BINARY.orElseGet(() -> {
            try {
                return HelperInstall.installForAnyone(dir.resolve("bin")).resolve("bootsecrets");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        alice = TestUser.create("alice", dir);
        bob = TestUser.create("bob", dir);
        Files.writeString(root.resolve("etc/passwd"), alice.passwdLine() + bob.passwdLine(),
                java.nio.file.StandardOpenOption.APPEND);
        for (TestUser user : List.of(alice, bob)) {
            user.writeFile(".config/containers/containers.conf", PodmanSandbox.CONTAINERS_CONF);
        }
    }

    @AfterEach
    void removeUsers() throws Exception {
        for (TestUser user : new TestUser[] {alice, bob}) {
            if (user != null) {
                user.remove();
            }
        }
    }

    @Test
    void aUsersOwnPodmanGetsTheirSecretAndNoOneElseIsServedIt() throws Exception {
        declare(alice, "app", VALUE);
        Path file = root.resolve("run/bootsecrets-podman/" + alice.uid() + "/app");
        assertEquals(alice.uid() + ":" + alice.gid(), Agent.owner(file));
        assertEquals("rw-------", Agent.mode(file));
        assertEquals("rwx------", Agent.mode(file.getParent()));
        assertEquals("0:0", Agent.owner(file.getParent().getParent()));
        assertEquals("rwx--x--x", Agent.mode(file.getParent().getParent()));

        Tool.Result sync = syncAs(alice);
        importBusybox(alice);
        Tool.Result container = alice.run("podman", "run", "--rm", "--network", "none",
                "--secret", "app,type=mount,target=/run/secrets/app,uid=100,gid=200,mode=0440",
                "--secret", "app,type=env,target=APP", PodmanSandbox.IMAGE,
                "/bin/sh", "-c", "stat -c '%u:%g %a' /run/secrets/app; cat /run/secrets/app; echo; echo \"$APP\"");

        assertEquals(0, sync.exit(), sync.toString());
        assertFalse(sync.toString().contains(VALUE));
        assertEquals(0, container.exit(), container.toString());
        assertEquals(List.of("100:200 440", VALUE, VALUE), container.out().lines().toList());
        Tool.Result inspect = alice.run("podman", "secret", "inspect", "app");
        assertFalse(inspect.out().contains(VALUE), "podman secret inspect shows the value");
        JsonNode secret = JSON.readTree(inspect.stdout()).get(0);
        JsonNode spec = secret.get("Spec");
        assertEquals(program + " podman-secret lookup app --uid " + alice.uid() + " --root " + root,
                spec.path("Driver").path("Options").path("lookup").asText());
        assertEquals("true", spec.path("Labels").path("dev.bootsecrets.managed").asText());
        assertEquals(List.of(), PodmanSandbox.filesHolding(List.of(alice.home(), alice.runtime()), VALUE),
                "the value is in the user's podman storage");
        String id = secret.path("ID").asText();

        // bob, with alice's secret's id and her uid, is not served; nor is root, who could open the file.
        Tool.Result asBob = bob.run(Map.of("SECRET_ID", id), new byte[0],
                program.toString(), "podman-secret", "lookup", "app", "--uid", String.valueOf(alice.uid()), "--root", root.toString());
        Tool.Result asRoot = agent(Map.of("SECRET_ID", id), "podman-secret", "lookup", "app", "--uid", String.valueOf(alice.uid()));
        for (Tool.Result refused : List.of(asBob, asRoot)) {
            assertNotEquals(0, refused.exit(), refused.toString());
            assertEquals("", refused.out());
            assertFalse(refused.stderr().contains(VALUE), refused.stderr());
        }
        assertTrue(asRoot.stderr().contains("belongs to uid " + alice.uid() + ", not to uid 0"), asRoot.stderr());
        assertNotEquals(0, bob.run("podman", "secret", "inspect", "app").exit(), "bob's podman has alice's secret");
    }

    @Test
    void aSecondSyncChangesNothingAndARemovedDeclarationIsRemovedButTheUsersOwnSecretStays() throws Exception {
        declare(alice, "gone", VALUE);
        assertEquals(0, syncAs(alice).exit());
        Path db = alice.home().resolve(".local/share/containers/storage/secrets/secrets.json");
        byte[] before = Files.readAllBytes(db);
        assertEquals(0, alice.run(Map.of(), "mine".getBytes(StandardCharsets.UTF_8), "podman", "secret", "create", "mine", "-")
                .exit());
        byte[] withMine = Files.readAllBytes(db);

        Tool.Result again = syncAs(alice);
        assertEquals(0, again.exit(), again.toString());
        assertEquals(new String(withMine, StandardCharsets.UTF_8), Files.readString(db), "a second sync changed podman's database");
        assertNotEquals(new String(before, StandardCharsets.UTF_8), new String(withMine, StandardCharsets.UTF_8));

        Agent.writeConfig(root, "secrets: {}\n");
        Agent.Run run = Agent.main("run", "--root", root.toString(), "--provider", "none");
        Tool.Result prune = syncAs(alice);

        assertEquals(0, run.exit(), run.all());
        assertEquals(0, prune.exit(), prune.toString());
        assertFalse(Files.exists(root.resolve("run/bootsecrets-podman/" + alice.uid() + "/gone")));
        assertNotEquals(0, alice.run("podman", "secret", "inspect", "gone").exit(), "the undeclared secret is still registered");
        assertEquals(0, alice.run("podman", "secret", "inspect", "mine").exit(), "the user's own secret was removed");
    }

    @Test
    void aPlantedSymlinkInTheUsersDirectoryIsNeitherFollowedNorServed() throws Exception {
        declare(alice, "app", VALUE);
        Path own = root.resolve("run/bootsecrets-podman/" + alice.uid());
        Path readable = root.resolve("etc/readable-by-all");
        Files.writeString(readable, "not-alices-5d1");
        Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rw-r--r--"));
        // alice points her value at a file of root's, and at another of root's she can read.
        assertEquals(0, alice.run("ln", "-sf", readable.toString(), own.resolve("app").toString()).exit());
        assertEquals(0, alice.run("ln", "-s", readable.toString(), own.resolve("link").toString()).exit());
        Files.copy(readable, own.resolve("roots"));
        Files.setPosixFilePermissions(own.resolve("roots"), PosixFilePermissions.fromString("rw-r--r--"));

        Tool.Result link = lookupAs(alice, "link");
        Tool.Result roots = lookupAs(alice, "roots");
        Agent.Run run = Agent.main("run", "--root", root.toString(), "--provider", "none");
        Tool.Result app = lookupAs(alice, "app");
        Files.delete(own.resolve("app"));
        Agent.Run after = Agent.main("run", "--root", root.toString(), "--provider", "none");
        Tool.Result served = lookupAs(alice, "app");

        for (Tool.Result refused : List.of(link, roots, app)) {
            assertNotEquals(0, refused.exit(), refused.toString());
            assertEquals("", refused.out(), "a file not alice's own was served");
        }
        assertTrue(roots.stderr().contains("belongs to uid 0, not to uid " + alice.uid()), roots.stderr());
        assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
        assertTrue(run.err().contains("/run/bootsecrets-podman/" + alice.uid() + "/app: it is a symlink; refusing to write"
                + " through it"), run.err());
        assertEquals("not-alices-5d1", Files.readString(readable), "the run wrote through the planted link");
        assertEquals(0, after.exit(), after.all());
        assertEquals(0, served.exit(), served.toString());
        assertEquals(VALUE, served.out());
    }

    @Test
    void aUserWhoIsNotInTheTargetRootIsRefusedByField() throws Exception {
        Agent.writeConfig(root, "secrets: {s: {value: x}}\npodman: {app: {secret: s, user: rl-nobody}}\n");

        Agent.Run run = Agent.main("run", "--root", root.toString(), "--provider", "none");

        assertNotEquals(0, run.exit());
        assertTrue(run.err().contains("podman.app.user: rl-nobody is not a user in the target root's /etc/passwd"), run.err());
        assertFalse(Files.exists(root.resolve("run/bootsecrets-podman")));
    }

    /** Config giving {@code user}'s podman secret {@code name} with {@code value}, and a run that writes it. */
    private void declare(TestUser user, String name, String value) throws Exception {
        Agent.writeConfig(root, """
                secrets:
                  s: {value: "%s"}
                podman:
                  %s: {secret: s, user: %s}
                """.formatted(value, name, user.name()));
        Agent.Run run = Agent.main("run", "--root", root.toString(), "--provider", "none");
        assertEquals(0, run.exit(), run.all());
    }

    private Tool.Result syncAs(TestUser user) throws Exception {
        return user.run(Map.of(), new byte[0], program.toString(), "podman-secret", "sync", "--user", "--root", root.toString(),
                "--verbose");
    }

    private Tool.Result lookupAs(TestUser user, String name) throws Exception {
        return user.run(program.toString(), "podman-secret", "lookup", name, "--uid", String.valueOf(user.uid()),
                "--root", root.toString());
    }

    private void importBusybox(TestUser user) throws Exception {
        Path images = Files.createDirectories(dir.resolve("image"));
        Files.setPosixFilePermissions(images, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path tar = PodmanSandbox.busyboxTar(images);
        Tool.Result imported = user.run("podman", "import", tar.toString(), PodmanSandbox.IMAGE);
        assertEquals(0, imported.exit(), imported.toString());
    }

    private Tool.Result agent(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--root", root.toString()));
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("BOOTSECRETS_JAVA", System.getProperty("java.home"));
        return Tool.run(command, all, new byte[0], java.time.Duration.ofMinutes(3));
    }
}
