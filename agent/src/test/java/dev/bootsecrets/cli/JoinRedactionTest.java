package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.JoinServer;
import dev.bootsecrets.emulator.LocalCa;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.FakeVault;
import java.net.InetSocketAddress;
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
 * RedactionTest's check for the join: bootstrap tokens, secret ids, wrapping tokens, Vault
 * tokens, the secrets a join hands out and the machine's private key reach the files they
 * belong in and nothing else (stdout, the log, the status file, errors), whether the join
 * succeeds or fails, and with --verbose.
 */
class JoinRedactionTest {
    static final String KV_VALUE = "kv-secret-value-0c4b7d2e";
    static final String JOIN_TOKEN = "join-bootstrap-token-5e8a1f";
    static final String JOINED_VALUE = "joined-secret-value-9b3c6d";
    /** A joined value of 4 bytes, also the name of its file: the net masks values of any length. */
    static final String SHORT_JOINED = "7Qx2";

    @TempDir
    Path dir;

    Path root;
    Emulator emulator;
    List<Agent.Run> runs = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        root = Agent.sandbox(dir);
        emulator = Emulator.start("aws", new InetSocketAddress("127.0.0.1", 0), Scenario.sample("aws"));
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    void write(String path, String content) throws Exception {
        Path file = root.resolve(path.substring(1));
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    void runAndInspect(String... extra) {
        runs.add(Agent.run(root, emulator.url().toString(), extra));
        runs.add(Agent.main("status", "--root", root.toString()));
        runs.add(Agent.main("status", "--root", root.toString(), "--json"));
    }

    void assertNowhere(List<String> secrets) throws Exception {
        String status = Files.readString(root.resolve("run/bootsecrets/status.json"));
        for (String secret : secrets) {
            for (Agent.Run run : runs) {
                assertFalse(run.all().contains(secret), "a secret value leaked into output:\n" + run.all());
            }
            assertFalse(status.contains(secret), "a secret value leaked into the status file");
        }
    }

    @Test
    void vaultIdsAndTokensAppearNowhere() throws Exception {
        LocalCa ca = LocalCa.create("test Vault CA");
        try (FakeVault vault = FakeVault.start(ca)) {
            write("/etc/bootsecrets/vault-ca.pem", ca.pem());
            vault.putKv2("app/db", Map.of("password", KV_VALUE));
            Agent.writeConfig(root, """
                    secrets:
                      role-id: {value: "%s"}
                      secret-id: {from: "file:/etc/bootsecrets/bootstrap/secret-id"}
                      db: {from: "vault:secret/app/db#password"}
                    files:
                      /etc/app/db: {secret: db}
                    join:
                      vault:
                        address: %s
                        caFile: /etc/bootsecrets/vault-ca.pem
                        auth: {method: approle, role: web, roleId: role-id, secretId: secret-id, wrapped: true}
                        pki: {role: machine}
                    """.formatted(vault.roleId(), vault.url()));
            runs.add(Agent.main("check", "--root", root.toString(), "--verbose"));

            write("/etc/bootsecrets/bootstrap/secret-id", vault.wrapSecretId("auth/approle/role/web/secret-id"));
            runAndInspect("--dry-run");
            runAndInspect();
            assertEquals(0, runs.get(runs.size() - 3).exit(), runs.get(runs.size() - 3).all());
            assertEquals(KV_VALUE, Files.readString(root.resolve("etc/app/db")));

            // a failing join: its error messages are about tokens, and must not show them
            String intercepted = vault.wrapSecretId("auth/approle/role/web/secret-id");
            write("/etc/bootsecrets/bootstrap/secret-id", intercepted);
            vault.unwrapElsewhere(intercepted);
            runAndInspect();
            assertEquals(ExitCode.JOIN_FAILED, runs.get(runs.size() - 3).exit());

            List<String> secrets = new ArrayList<>(vault.handedOut());
            secrets.add(KV_VALUE);
            secrets.addAll(keyLines());
            assertTrue(secrets.size() > 6, "ids, tokens, the value and the key were all checked");
            assertNowhere(secrets);
        }
    }

    @Test
    void theBootstrapTokenJoinedSecretsAndTheKeyAppearNowhere() throws Exception {
        try (JoinServer join = JoinServer.start(new InetSocketAddress("127.0.0.1", 0), JOIN_TOKEN,
                Map.of("app-secret", JOINED_VALUE, "pin", SHORT_JOINED))) {
            write("/etc/bootsecrets/join-ca.pem", join.caPem());
            write("/etc/bootsecrets/bootstrap/join-token", JOIN_TOKEN);
            Agent.writeConfig(root, """
                    secrets:
                      join-token: {from: "file:/etc/bootsecrets/bootstrap/join-token"}
                      app: {from: "join:app-secret"}
                      pin: {from: "join:pin"}
                    files:
                      /etc/app/secret: {secret: app}
                      /etc/app/%s: {secret: pin}
                    join:
                      url: %s
                      token: join-token
                      caFile: /etc/bootsecrets/join-ca.pem
                    """.formatted(SHORT_JOINED, join.url()));
            runs.add(Agent.main("check", "--root", root.toString(), "--verbose"));
            join.deny(true);
            runAndInspect();
            assertEquals(ExitCode.JOIN_FAILED, runs.get(runs.size() - 3).exit());
            join.deny(false);
            runAndInspect();
            runAndInspect();
            assertEquals(0, runs.get(runs.size() - 3).exit(), runs.get(runs.size() - 3).all());
            assertEquals(JOINED_VALUE, Files.readString(root.resolve("etc/app/secret")));

            assertEquals(SHORT_JOINED, Files.readString(root.resolve("etc/app/" + SHORT_JOINED)));
            assertFalse(runs.get(1).all().contains("this instance may not join"), "the service's error text is not echoed");

            List<String> secrets = new ArrayList<>(List.of(JOIN_TOKEN, JOINED_VALUE, SHORT_JOINED));
            secrets.addAll(keyLines());
            assertNowhere(secrets);
        }
    }

    /** The base64 lines of the machine's private key. */
    List<String> keyLines() throws Exception {
        List<String> lines = Files.readString(root.resolve("etc/pki/bootsecrets/key.pem")).lines()
                .filter(l -> !l.startsWith("-----")).toList();
        assertFalse(lines.isEmpty());
        return lines;
    }
}
