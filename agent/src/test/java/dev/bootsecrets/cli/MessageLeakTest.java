package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.LocalCa;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Emulated;
import dev.bootsecrets.testing.FakeVault;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input whose text holds a marker, through the run and check: the refusal names the field,
 * and the marker is nowhere in what the agent prints or records (stderr, stdout, status.json).
 */
class MessageLeakTest {
    /** Not declared as a secret anywhere: only the messages' own care keeps it out. */
    static final String MARKER = "S3CR3T-marker-7c1e9a";

    @TempDir
    Path dir;
    Path root;
    @RegisterExtension
    final Emulated cloud = new Emulated();

    @BeforeEach
    void sandbox() throws Exception {
        root = Agent.sandbox(dir);
    }

    /** The run, then check, of {@code userData}: each with {@code exit}, and the marker in neither's output nor status.json. */
    private Agent.Run runAndCheck(String userData, int exit) throws Exception {
        Agent.Run run = Agent.boot(cloud, root, userData.getBytes(StandardCharsets.UTF_8));
        assertEquals(exit, run.exit(), run.all());
        assertFalse(run.all().contains(MARKER), run.all());
        Path status = root.resolve("run/bootsecrets/status.json");
        assertTrue(Files.exists(status), "no status.json");
        String recorded = Files.readString(status);
        assertFalse(recorded.contains(MARKER), recorded);
        Agent.Run check = Agent.check(dir, root, userData);
        assertEquals(exit, check.exit(), check.all());
        assertFalse(check.all().contains(MARKER), check.all());
        return run;
    }

    @Test
    void aRegistryKeyWithAPasswordIsNotShown() throws Exception {
        for (String key : new String[] {"robot:" + MARKER + "@quay.io", "https://robot:" + MARKER + "@quay.io/org",
                "quay.io/org?token=" + MARKER, "quay.io/" + MARKER + "\nsecond line", "robot:" + MARKER + "x".repeat(300) + "@quay.io"}) {
            Agent.Run run = runAndCheck("#cloud-config\nbootsecrets:\n  registries:\n    \"" + key.replace("\n", "\\n")
                    + "\": {helper: bootsecrets}\n", ExitCode.INVALID);
            assertTrue(run.err().contains("user-data: bootsecrets.registries.(a key that is not shown): "), run.err());
        }
        Agent.writeConfig(root, "registries:\n  \"https://robot:" + MARKER + "@quay.io\": {helper: bootsecrets}\n");
        Agent.Run run = runAndCheck("#cloud-config\n", ExitCode.INVALID);
        assertTrue(run.err().contains("config.yaml: registries.(a key that is not shown): has a scheme"), run.err());
    }

    @Test
    void anSshKeyBlobsTextIsNotShown() throws Exception {
        byte[] embedded = (MARKER + "-decoded").getBytes(StandardCharsets.US_ASCII);
        byte[] blob = ByteBuffer.allocate(4 + embedded.length).putInt(embedded.length).put(embedded).array();
        String line = "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob) + " mallory";
        Agent.Run run = runAndCheck("#cloud-config\nbootsecrets:\n  ssh:\n    core: [\"" + line + "\"]\n", ExitCode.OK);
        assertTrue(run.err().contains("skipped: key data is of another type than ssh-ed25519"), run.err());
    }

    /** The same line as the instance's key pair, from the metadata service. */
    @Test
    void aMetadataSshKeyBlobsTextIsNotShown() throws Exception {
        byte[] embedded = ("ssh-\u001b[2J" + MARKER).getBytes(StandardCharsets.US_ASCII);
        byte[] blob = ByteBuffer.allocate(4 + embedded.length).putInt(embedded.length).put(embedded).array();
        Scenario s = Scenario.sample("aws");
        cloud.start("aws", new Scenario(s.instanceId(), s.hostname(), s.region(), s.zone(),
                List.of(new Scenario.SshKey("mallory", "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob) + " mallory")),
                Map.of(), Optional.empty(), s.aws(), s.faults()));
        Agent.Run run = Agent.run(root, cloud.emulator().url().toString());
        assertEquals(ExitCode.OK, run.exit(), run.all());
        assertTrue(run.err().contains("skipped: key data is of another type than ssh-ed25519"), run.err());
        assertFalse(run.all().contains(MARKER), run.all());
        assertFalse(Files.readString(root.resolve("run/bootsecrets/status.json")).contains(MARKER));
    }

    /**
     * A vault: path with a character a URL may not hold passed the config, and the run ended at
     * the KV read, after the login, as "internal error" quoting the URL.
     */
    @Test
    void aVaultPathAUrlCannotHoldIsAConfigError() throws Exception {
        Agent.writeImageConfig(root, "userData: {sources: [value, vault]}\n");
        for (String bad : new String[] {"{x}", "a|b", "a\\\\b", "a\\\"b", "a<b>", "a^b", "a`b", "a\u00a0b", "a\u2028b"}) {
            String userData = "#cloud-config\nbootsecrets:\n  secrets:\n    db: {from: \"vault:secret/" + MARKER + bad
                    + "/db#password\"}\n  files:\n    /etc/x: {secret: db}\n";
            Agent.Run check = Agent.check(dir, root, userData);
            assertEquals(ExitCode.INVALID, check.exit(), bad + ": " + check.all());
            assertTrue(check.out().contains("user-data: bootsecrets.secrets.db.from: vault: needs a mount, a path and a key"),
                    check.all());
            assertFalse(check.all().contains(MARKER), check.all());
        }
        try (Emulator emulator = Emulator.start("aws", new InetSocketAddress("127.0.0.1", 0), Scenario.sample("aws"));
                FakeVault vault = FakeVault.start(LocalCa.create("test Vault CA"))) {
            Agent.writeConfig(root, """
                    secrets:
                      role-id: {value: "%s"}
                      secret-id: {value: "%s"}
                      db: {from: "vault:secret/%s{x}/db#password"}
                    files:
                      /etc/x: {secret: db}
                    join:
                      vault: {address: "%s", auth: {method: approle, role: web, roleId: role-id, secretId: secret-id}}
                    """.formatted(vault.roleId(), vault.issueSecretId(), MARKER, vault.url()));
            Agent.Run run = Agent.run(root, emulator.url().toString());
            assertEquals(ExitCode.INVALID, run.exit(), run.all());
            assertTrue(run.err().contains("config.yaml: secrets.db.from: vault: needs a mount, a path and a key"), run.all());
            assertFalse(run.all().contains(MARKER), run.all());
            assertTrue(vault.calls().isEmpty(), "Vault was asked: " + vault.calls());
        }
    }

    /** A key of user-data is shown as the field's name, but as text: a terminal's escape or a line break in it acts on no one. */
    @Test
    void controlCharactersInAShownKeyAreNotPrinted() throws Exception {
        Agent.Run run = runAndCheck("#cloud-config\nbootsecrets:\n  \"\\e]0;title\\a\\e[2J\\x85\\L\\P\\tk\": 1\n", ExitCode.INVALID);
        Agent.Run status = Agent.main("status", "--root", root.toString()); // what the run recorded, shown again
        Agent.Run check = Agent.check(dir, root, "#cloud-config\nbootsecrets:\n  \"\\e[2J\\L\\nk\": 1\n");
        for (String printed : new String[] {run.err(), status.out(), check.out()}) {
            assertTrue(printed.contains(": unknown key (known: "), printed);
            assertTrue(printed.codePoints().noneMatch(c -> Character.isISOControl(c) && c != '\n' || c == 0x2028 || c == 0x2029),
                    printed);
            assertEquals(1, printed.lines().filter(l -> l.contains("unknown key")).count(), printed);
        }
    }
}
