package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.Scenario;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** check, status and the command line's own errors, as a user meets them. */
class CommandsTest {
    @TempDir
    Path dir;

    @Test
    void checkAcceptsValidUserData() throws Exception {
        Path userData = dir.resolve("user-data");
        Files.writeString(userData, """
                #cloud-config
                write_files:
                  - {path: /etc/motd, content: "hi\\n", permissions: "0644"}
                bootsecrets:
                  secrets:
                    token: {value: "abc"}
                  files:
                    /etc/app/token: {secret: token, mode: "0400"}
                """);
        Agent.Run run = Agent.main("check", "--user-data", userData.toString(), "--root", dir.toString());
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.out().contains("warning: user-data:bootsecrets.secrets.token: inline value"), run.out());
        assertTrue(run.out().contains("warning: user-data:bootsecrets.secrets.token: value shorter than 4 characters,"
                + " too short to mask safely"), run.out());
        assertTrue(run.out().contains("warning: user-data:write_files[0]: content value shorter than 4 characters"), run.out());
        assertTrue(run.out().strip().endsWith("valid"), run.out());
    }

    @Test
    void checkNamesEachBadField() throws Exception {
        Path userData = dir.resolve("user-data");
        Files.writeString(userData, """
                #cloud-config
                write_files:
                  - {path: /etc/a, content: "x"}
                  - {path: /etc/b, content: "x"}
                  - {path: /etc/c, content: "x", permissions: "rw-r--r--"}
                bootsecrets:
                  files:
                    /usr/bin/evil: {content: "x"}
                """);
        Agent.Run run = Agent.main("check", "--user-data", userData.toString(), "--root", dir.toString());
        assertEquals(ExitCode.INVALID, run.exit(), run.all());
        assertTrue(run.out().contains("error: user-data: write_files[2].permissions: \"rw-r--r--\" is not an octal mode"),
                run.out());

        // Once the schema is right, references and places are checked too.
        Files.writeString(userData, "#cloud-config\nbootsecrets:\n  files:\n    /etc/app/token: {secret: missing}\n");
        Agent.Run refs = Agent.main("check", "--user-data", userData.toString(), "--root", dir.toString());
        assertEquals(ExitCode.INVALID, refs.exit(), refs.all());
        assertTrue(refs.out().contains("bootsecrets.files./etc/app/token: secret missing is not declared"), refs.out());
        Files.writeString(userData, "#cloud-config\nbootsecrets:\n  files:\n    /usr/bin/evil: {content: x}\n");
        Agent.Run places = Agent.main("check", "--user-data", userData.toString(), "--root", dir.toString());
        assertEquals(ExitCode.INVALID, places.exit(), places.all());
        assertTrue(places.out().contains("error: user-data:bootsecrets.files./usr/bin/evil: /usr/bin/evil is outside the paths"),
                places.out());
    }

    @Test
    void statusTellsWhatTheLastRunWrote() throws Exception {
        Path root = Agent.sandbox(dir);
        Agent.Run none = Agent.main("status", "--root", root.toString());
        assertEquals(ExitCode.INVALID, none.exit());
        assertTrue(none.out().contains("no run recorded"), none.out());

        try (Emulator emulator = Emulator.start("aws", new InetSocketAddress("127.0.0.1", 0), Scenario.sample("aws"))) {
            assertEquals(0, Agent.run(root, emulator.url().toString()).exit());
        }
        Agent.Run status = Agent.main("status", "--root", root.toString());
        assertEquals(0, status.exit(), status.all());
        assertTrue(status.out().contains("last run: applied (exit 0)"), status.out());
        assertTrue(status.out().contains("/etc/myapp/api.token"), status.out());
        assertTrue(status.out().contains("myapp:myapp 0400"), status.out());
        assertTrue(Agent.main("status", "--root", root.toString(), "--json").out().contains("\"instanceId\" : \"i-0123456789abcdef0\""));
    }

    @Test
    void podmanSecretsUidAndUserOptionsAreChecked() {
        for (String uid : new String[] {"0", "-1", "alice", "99999999999"}) {
            Agent.Run lookup = Agent.main("podman-secret", "lookup", "app", "--uid", uid);
            assertEquals(ExitCode.USAGE, lookup.exit(), uid);
            assertTrue(lookup.err().contains("--uid needs a user's uid (a number above 0)"), lookup.err());
        }
        assertEquals(ExitCode.USAGE, Agent.main("podman-secret", "sync", "--uid", "1000").exit());
        if ("root".equals(System.getProperty("user.name"))) {
            Agent.Run user = Agent.main("podman-secret", "sync", "--user");
            assertEquals(ExitCode.USAGE, user.exit());
            assertTrue(user.err().contains("podman-secret sync --user is run by a user for their own podman"), user.err());
        }
    }

    @Test
    void commandLineMistakesAreUsageErrors() {
        Agent.Run unknown = Agent.main("run", "--no-such-flag");
        assertEquals(ExitCode.USAGE, unknown.exit());
        assertTrue(unknown.err().contains("unknown option --no-such-flag"), unknown.err());
        assertEquals(ExitCode.USAGE, Agent.main("run", "--root").exit());
        assertEquals(ExitCode.USAGE, Agent.main("frobnicate").exit());
        assertEquals(ExitCode.USAGE, Agent.main().exit());
        assertEquals("bootsecrets " + BootMain.VERSION + "\n", Agent.main("version").out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"emulate", "demo"})
    void theBootImageSaysWhereTheDevelopmentCommandsAre(String command) {
        for (String[] args : new String[][] {{command}, {command, "--help"}}) {
            var out = new java.io.ByteArrayOutputStream();
            var err = new java.io.ByteArrayOutputStream();
            int exit = BootMain.run(args, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true),
                    false, java.util.Map.of());
            assertEquals(ExitCode.USAGE, exit);
            assertEquals("", out.toString());
            assertTrue(err.toString().contains(command + " is not in the boot image: the JVM build"
                    + " (agent/target/bootsecrets) and bootsecrets-native-dev have it"), err.toString());
        }
        var overview = new java.io.ByteArrayOutputStream();
        BootMain.run(new String[] {"--help"}, new java.io.PrintStream(overview, true), System.err, false,
                java.util.Map.of());
        assertTrue(overview.toString().contains("emulate, demo  the metadata emulator and the demo: not in the boot image"),
                overview.toString());
        assertFalse(overview.toString().contains("serve the metadata emulator until stopped"), overview.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "check", "status", "store", "emulate", "demo", "credential-helper"})
    void everyCommandPrintsItsOwnHelp(String command) {
        for (String flag : new String[] {"--help", "-h"}) {
            Agent.Run help = Agent.main(command, flag);
            assertEquals(0, help.exit(), help.all());
            assertTrue(help.out().startsWith("usage: bootsecrets " + command + " "), help.out());
            assertFalse(help.out().contains("commands:"), "only this command's usage: " + help.out());
            assertEquals("", help.err());
        }
        // Asked for after other options too, even ones the command would refuse.
        assertEquals(0, Agent.main(command, "--no-such-flag", "--help").exit());
    }

    @Test
    void theCredentialHelperPrintsItsHelpByItsLinkName() throws Exception {
        String[] args = ProgramName.dispatch(Optional.of("/usr/bin/docker-credential-bootsecrets"), new String[] {"--help"});
        Agent.Run help = Agent.BINARY.isPresent()
                ? ProcessRun.run(Files.createSymbolicLink(dir.resolve(CredentialHelper.PROGRAM), Agent.BINARY.get()), "--help")
                : Agent.main(args);
        assertEquals(0, help.exit(), help.all());
        assertTrue(help.out().startsWith("usage: bootsecrets credential-helper "), help.out());
        assertTrue(help.out().contains("get|list|store|erase|version"), help.out());
    }
}
