package dev.bootsecrets.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioTest {
    @TempDir
    Path dir;

    @Test
    void readsADirectory() throws IOException {
        write("instance.yaml", """
                instance-id: i-0aaaaaaaaaaaaaaaa
                hostname: web-1.internal
                region: eu-west-1
                zone: eu-west-1b
                ssh-keys:
                  - {name: ops, key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIQMQbtsCFPmMaMt37FL2VwQdjzKDp/5aA+SPLp/gpXo ops@example"}
                attributes:
                  join-token: "abc"
                aws: {imdsv1: true}
                """);
        Files.write(dir.resolve("user-data"), new byte[] {0x1f, (byte) 0x8b, 0, 1}); // served as is, gzip or not
        write("faults.yaml", "delay-ms: 250\nfail: 2\ndrop: 1\n");

        Scenario scenario = Scenario.load(dir);

        assertEquals("i-0aaaaaaaaaaaaaaaa", scenario.instanceId());
        assertEquals("web-1.internal", scenario.hostname());
        assertEquals("eu-west-1", scenario.region());
        assertEquals("eu-west-1b", scenario.zone());
        assertEquals(List.of("ops"), scenario.sshKeys().stream().map(Scenario.SshKey::name).toList());
        assertEquals(Map.of("join-token", "abc"), scenario.attributes());
        assertArrayEquals(new byte[] {0x1f, (byte) 0x8b, 0, 1}, scenario.userData().orElseThrow());
        assertEquals(new Scenario.Aws(true, true), scenario.aws());
        assertEquals(new Scenario.FaultDefaults(Duration.ofMillis(250), 2, 1), scenario.faults());
    }

    @Test
    void readsJsonWithoutOptionalFiles() throws IOException {
        write("instance.json", """
                {"instance-id": "i-1", "hostname": "h", "region": "r", "zone": "z"}
                """);

        Scenario scenario = Scenario.load(dir);

        assertTrue(scenario.userData().isEmpty());
        assertEquals(List.of(), scenario.sshKeys());
        assertEquals(Scenario.Aws.DEFAULT, scenario.aws());
        assertEquals(Scenario.FaultDefaults.NONE, scenario.faults());
    }

    @Test
    void mistakesNameTheFileAndField() throws IOException {
        write("instance.yaml", "instance-id: i-1\nhostname: h\nregion: r\nzone: z\ncolour: blue\n");
        assertMessage("instance: colour: unknown field");

        write("instance.yaml", "hostname: h\nregion: r\nzone: z\n");
        assertMessage("instance: instance-id: missing");

        write("instance.yaml", "instance-id: i-1\nhostname: h\nregion: r\nzone: z\nssh-keys: [{name: ops}]\n");
        assertMessage("ssh-keys[0].key: missing");

        write("instance.yaml", "instance-id: i-1\nhostname: h\nregion: r\nzone: z\nattributes: {port: 8080}\n");
        assertMessage("attributes.port: not a string");

        write("instance.yaml", "instance-id: i-1\nhostname: h\nregion: r\nzone: z\n");
        write("faults.yaml", "fail: -1\n");
        assertMessage("faults.yaml: fail: not a whole number");
    }

    @Test
    void theAwsSampleIsTheDemoInstance() {
        Scenario sample = Scenario.sample("aws");

        assertEquals("i-0123456789abcdef0", sample.instanceId());
        assertEquals(List.of("ops", "deploy"), sample.sshKeys().stream().map(Scenario.SshKey::name).toList());
        assertTrue(sample.sshKeys().get(0).publicKey().startsWith("ssh-ed25519 "));
        assertTrue(sample.sshKeys().get(1).publicKey().startsWith("ssh-rsa "));
        assertEquals("demo-registry-token-0001", sample.attributes().get("registry-token"));
        assertTrue(new String(sample.userData().orElseThrow(), StandardCharsets.UTF_8).startsWith("#cloud-config\n"));
        assertThrows(IllegalArgumentException.class, () -> Scenario.sample("nowhere"));
    }

    private void assertMessage(String expected) {
        var e = assertThrows(IOException.class, () -> Scenario.load(dir));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void readsTheGcpAndAzureFields() throws IOException {
        write("instance.yaml", """
                instance-id: "123"
                hostname: vm-1
                region: r
                zone: z
                ssh-keys:
                  - {name: a, key: "ssh-ed25519 AAAA a", user: alice, expire-on: "2030-01-01T00:00:00+0000"}
                  - {name: b, key: "ssh-ed25519 AAAA b", project: true}
                gcp: {project-id: p-1, project-attributes: {enable-oslogin: "TRUE"}}
                azure: {admin-username: admin, subscription-id: sub-1, resource-group: rg-1, managed-identity: false}
                """);
        Scenario scenario = Scenario.load(dir);
        assertEquals(new Scenario.SshKey("a", "ssh-ed25519 AAAA a", "alice", "2030-01-01T00:00:00+0000", false),
                scenario.sshKeys().get(0));
        assertEquals(new Scenario.SshKey("b", "ssh-ed25519 AAAA b", "", "", true), scenario.sshKeys().get(1));
        assertEquals(new Scenario.Gcp("p-1", Map.of("enable-oslogin", "TRUE")), scenario.gcp());
        assertEquals(new Scenario.Azure("admin", "sub-1", "rg-1", false), scenario.azure());

        write("instance.yaml", "instance-id: x\nhostname: h\nregion: r\nzone: z\ngcp: {project: p}\n");
        var e = assertThrows(IOException.class, () -> Scenario.load(dir));
        assertTrue(e.getMessage().contains("gcp.project: unknown field"), e.getMessage());
    }

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text);
    }
}
