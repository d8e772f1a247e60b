package dev.bootsecrets.cli;

import static dev.bootsecrets.cli.Agent.mode;
import static dev.bootsecrets.cli.Agent.owner;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Tool;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outputs of a whole run against the AWS emulator, each checked by the program that uses
 * it: skopeo reads the registry logins, systemd-creds decrypts the encrypted credential,
 * systemd-analyze verifies a unit that loads the credentials and the env file, systemd's own
 * env-file parser reads the env file back. Then rotation and revocation: a changed value is
 * replaced, what is no longer declared is taken back, and nothing bootsecrets did not make is.
 */
class OutputsEndToEndTest {
    static final String ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    static final String ROBOT = "robot-password-5d2e";
    static final String DB = "db-password-91ac0f";
    static final String API = "api-key-3b7f6e2d";

    static final String USER_DATA = """
            #cloud-config
            bootsecrets:
              secrets:
                robot-token: {from: "metadata:attributes/registry-token"}
                db-password: {from: "metadata:attributes/db-password"}
                api-key: {from: "file:/usr/lib/bootsecrets/bootstrap/api.key"}
              registries:
                quay.io/myorg: {username: robot, password: {secret: robot-token}}
                %s: {helper: ecr-login}
              credentials:
                db-password: {secret: db-password}
                api-key: {secret: api-key}
                api-key-sealed: {secret: api-key, encrypt: host}
              files:
                /etc/myapp/api.key: {secret: api-key, owner: myapp, group: myapp, mode: "0400"}
                /etc/myapp/db.conf: {content: "host=db\\n", owner: myapp, mode: "0640"}
                /etc/myapp/existing.conf: {content: "managed\\n"}
              env:
                myapp:
                  DB_PASSWORD: {secret: db-password}
                  LOG_LEVEL: info
            """.formatted(ECR);

    /** The same machine a while later: one registry, one credential, one file and the env file dropped. */
    static final String REDUCED = USER_DATA
            .replace("    quay.io/myorg: {username: robot, password: {secret: robot-token}}\n", "")
            .replace("    api-key: {secret: api-key}\n", "")
            .replace("    /etc/myapp/db.conf: {content: \"host=db\\n\", owner: myapp, mode: \"0640\"}\n", "")
            .replace("    /etc/myapp/existing.conf: {content: \"managed\\n\"}\n", "")
            .replace("  env:\n    myapp:\n      DB_PASSWORD: {secret: db-password}\n      LOG_LEVEL: info\n", "");

    @TempDir
    Path dir;

    Path root;
    Path helpers;
    Emulator emulator;

    @BeforeEach
    void start() throws Exception {
        root = Agent.sandbox(dir);
        // systemd binds its host key to the machine-id: systemd-creds here checks against this host's
        Files.copy(Path.of("/etc/machine-id"), root.resolve("etc/machine-id"));
        Files.createDirectories(root.resolve("usr/lib/bootsecrets/bootstrap"));
        Files.writeString(root.resolve("usr/lib/bootsecrets/bootstrap/api.key"), API);
        Agent.writeImageConfig(root, Agent.READ_BOOTSTRAP); // the policy's default reads no files
        Files.createDirectories(root.resolve("etc/myapp"));
        Files.writeString(root.resolve("etc/myapp/existing.conf"), "the admin's\n");
        helpers = dir.resolve("bin");
        Files.createDirectories(helpers);
        Path helper = helpers.resolve("docker-credential-ecr-login");
        Files.writeString(helper, "#!/bin/sh\nread registry\n"
                + "printf '{\"ServerURL\":\"%s\",\"Username\":\"AWS\",\"Secret\":\"x\"}' \"$registry\"\n");
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
        serve(USER_DATA, DB);
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    void serve(String userData, String dbPassword) throws Exception {
        if (emulator != null) {
            emulator.close();
        }
        Scenario s = Scenario.sample("aws");
        emulator = Emulator.start("aws", new InetSocketAddress("127.0.0.1", 0), new Scenario(s.instanceId(), s.hostname(),
                s.region(), s.zone(), s.sshKeys(), Map.of("registry-token", ROBOT, "db-password", dbPassword),
                Optional.of(userData.getBytes(StandardCharsets.UTF_8)), s.aws(), s.faults()));
    }

    Agent.Run run(String... extra) {
        return Agent.run(root, emulator.url().toString(), extra);
    }

    Path at(String path) {
        return root.resolve(path.substring(1));
    }

    Optional<String> registryLogin(String registry) throws Exception {
        Tool.Result r = Tool.run(List.of("skopeo", "login", "--get-login", "--authfile", at("/run/ostree/auth.json").toString(),
                registry), Map.of("PATH", Tool.pathWith(helpers)), new byte[0]);
        return r.exit() == 0 ? Optional.of(r.out().strip()) : Optional.empty();
    }

    Tool.Result decrypt(String name) throws Exception {
        return Tool.run(List.of("systemd-creds", "decrypt", "--name=" + name, at("/run/credstore.encrypted/" + name).toString(), "-"),
                Map.of("SYSTEMD_CREDENTIAL_SECRET", at("/var/lib/systemd/credential.secret").toString()), new byte[0]);
    }

    @Test
    void everyOutputIsAcceptedByTheProgramThatReadsIt() throws Exception {
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());

        // registry auth: skopeo, as bootc's and podman's containers/image would
        assertEquals(Optional.of("robot"), registryLogin("quay.io/myorg"));
        assertEquals(Optional.of("AWS"), registryLogin(ECR));
        assertEquals("rw-------", mode(at("/run/ostree/auth.json")));

        // plain credentials
        assertEquals(DB, Files.readString(at("/run/credstore/db-password")));
        assertEquals(API, Files.readString(at("/run/credstore/api-key")));
        assertEquals("r--------", mode(at("/run/credstore/db-password")));
        assertEquals("0:0", owner(at("/run/credstore/db-password")));
        assertEquals("rwx------", mode(at("/run/credstore")));

        // the encrypted credential: systemd-creds decrypts it with the host key bootsecrets made
        Tool.Result sealed = decrypt("api-key-sealed");
        assertEquals(0, sealed.exit(), sealed.toString());
        assertEquals(API, sealed.out());
        assertEquals("r--------", mode(at("/var/lib/systemd/credential.secret")));
        assertEquals("rwx------", mode(at("/run/credstore.encrypted")));
        assertFalse(Files.readString(at("/run/credstore.encrypted/api-key-sealed")).contains(API));

        // files for the service user
        assertEquals(API, Files.readString(at("/etc/myapp/api.key")));
        assertEquals("990:990", owner(at("/etc/myapp/api.key")));
        assertEquals("r--------", mode(at("/etc/myapp/api.key")));
        assertEquals("host=db\n", Files.readString(at("/etc/myapp/db.conf")));
        assertEquals("rw-r-----", mode(at("/etc/myapp/db.conf")));

        // the env file, read by systemd's own parser
        assertEquals("rw-------", mode(at("/run/bootsecrets/env/myapp.env")));
        assertEquals(0, systemdEnv("DB_PASSWORD", DB).exit());
        assertEquals(0, systemdEnv("LOG_LEVEL", "info").exit());
        assertNotEquals(0, systemdEnv("LOG_LEVEL", "debug").exit());

        // a unit that loads all of it passes systemd-analyze verify, and names what was written
        Path unit = dir.resolve("bootsecrets-example.service");
        try (InputStream in = getClass().getResourceAsStream("/outputs/bootsecrets-example.service")) {
            Files.write(unit, in.readAllBytes());
        }
        Tool.Result verify = Tool.run(List.of("systemd-analyze", "verify", "--man=no", unit.toString()));
        assertEquals(0, verify.exit(), verify.toString());
        assertEquals("", verify.stderr(), "no warning about a credential name or anything else");
        for (String line : Files.readAllLines(unit)) {
            if (line.startsWith("LoadCredential=")) {
                assertTrue(Files.isRegularFile(at("/run/credstore/" + line.substring(15))), line);
            } else if (line.startsWith("LoadCredentialEncrypted=")) {
                assertTrue(Files.isRegularFile(at("/run/credstore.encrypted/" + line.substring(24))), line);
            } else if (line.startsWith("EnvironmentFile=")) {
                assertTrue(Files.isRegularFile(at(line.substring(16))), line);
            }
        }

        String status = Files.readString(at("/run/bootsecrets/status.json"));
        for (String kind : List.of("registry-auth", "credential", "credential-key", "env", "file")) {
            assertTrue(status.contains("\"kind\" : \"" + kind + "\""), kind + " in " + status);
        }
    }

    Tool.Result systemdEnv(String var, String value) throws Exception {
        return Tool.run(List.of("systemd-analyze", "condition", "ConditionOSRelease=" + var + "=" + value),
                Map.of("SYSTEMD_OS_RELEASE", at("/run/bootsecrets/env/myapp.env").toString()), new byte[0]);
    }

    @Test
    void aSecondRunChangesNothingNotEvenTheEncryptedCredential() throws Exception {
        assertEquals(0, run().exit());
        byte[] sealed = Files.readAllBytes(at("/run/credstore.encrypted/api-key-sealed"));
        List<String> before = Agent.files(root);

        Agent.Run second = run();
        assertEquals(0, second.exit(), second.all());
        assertTrue(second.err().contains("9 outputs: 0 created, 0 updated, 9 unchanged, 0 failed, 0 removed"), second.err());
        assertArrayEquals(sealed, Files.readAllBytes(at("/run/credstore.encrypted/api-key-sealed")));
        assertEquals(before, Agent.files(root));
    }

    @Test
    void aRotatedValueReplacesTheFilesThatHoldIt() throws Exception {
        assertEquals(0, run().exit());
        Object inode = Files.getAttribute(at("/run/credstore/db-password"), "unix:ino");

        serve(USER_DATA, "rotated-db-password-77");
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        assertEquals("rotated-db-password-77", Files.readString(at("/run/credstore/db-password")));
        assertNotEquals(inode, Files.getAttribute(at("/run/credstore/db-password"), "unix:ino"), "replaced by a rename, not rewritten");
        assertEquals(0, systemdEnv("DB_PASSWORD", "rotated-db-password-77").exit());
        assertTrue(run.err().contains("9 outputs: 0 created, 2 updated, 7 unchanged, 0 failed, 0 removed"), run.err());
    }

    @Test
    void whatIsNoLongerDeclaredIsTakenBackAndNothingElse() throws Exception {
        assertEquals(0, run().exit());
        assertEquals("managed\n", Files.readString(at("/etc/myapp/existing.conf")));
        Files.writeString(at("/etc/myapp/mine.conf"), "not bootsecrets'\n");

        serve(REDUCED, DB);
        Agent.Run dryRun = run("--dry-run");
        assertEquals(0, dryRun.exit(), dryRun.all());
        for (String removed : List.of("/run/credstore/api-key", "/etc/myapp/db.conf", "/run/bootsecrets/env/myapp.env")) {
            assertTrue(dryRun.out().lines().anyMatch(l -> l.startsWith(removed + " ") && l.contains("(remove)")), dryRun.out());
        }
        assertTrue(dryRun.out().contains("(3 to remove)"), dryRun.out());
        assertTrue(Files.exists(at("/run/credstore/api-key")), "a dry run removes nothing");

        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        assertFalse(Files.exists(at("/run/credstore/api-key")));
        assertFalse(Files.exists(at("/etc/myapp/db.conf")));
        assertFalse(Files.exists(at("/run/bootsecrets/env/myapp.env")));
        assertEquals(Optional.empty(), registryLogin("quay.io/myorg"), "the dropped registry's entry is gone");
        assertEquals(Optional.of("AWS"), registryLogin(ECR), "the other registry stays");
        assertEquals(DB, Files.readString(at("/run/credstore/db-password")));
        assertEquals(0, decrypt("api-key-sealed").exit());

        // files bootsecrets did not make stay: one it only overwrote, one it never touched
        assertEquals("managed\n", Files.readString(at("/etc/myapp/existing.conf")));
        assertEquals("not bootsecrets'\n", Files.readString(at("/etc/myapp/mine.conf")));

        JsonNode removal = null;
        for (JsonNode output : new ObjectMapper().readTree(at("/run/bootsecrets/status.json").toFile()).path("outputs")) {
            if (output.path("path").asText().equals("/run/credstore/api-key")) {
                removal = output;
            }
        }
        assertEquals("{\"path\":\"/run/credstore/api-key\",\"kind\":\"credential\",\"source\":\"no longer declared\","
                + "\"result\":\"removed\"}", String.valueOf(removal));
        assertTrue(run.err().contains("8 outputs: 0 created, 1 updated, 4 unchanged, 0 failed, 3 removed"), run.err());

        Agent.Run again = run();
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.err().contains("5 outputs: 0 created, 0 updated, 5 unchanged, 0 failed, 0 removed"), again.err());
    }

    @Test
    void aUserWhoseKeysAreNoLongerDeclaredLosesTheBlockAndKeepsTheirOwnLines() throws Exception {
        String deployKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHlv/eesACFaKdvwGHGGOZC8j5NAjJRnFlrvTmuev2JZ deploy@ci";
        serve(USER_DATA + "  ssh:\n    deploy: [\"" + deployKey + "\"]\n", DB);
        assertEquals(0, run().exit());
        Path keys = at("/var/home/deploy/.ssh/authorized_keys");
        assertTrue(Files.readString(keys).contains(deployKey));
        String mine = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMine me@home\n";
        Files.writeString(keys, mine + Files.readString(keys));

        serve(USER_DATA, DB);
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        assertEquals(mine, Files.readString(keys));
        assertEquals("1001:1001", owner(keys));
        assertTrue(Files.readString(at("/var/home/core/.ssh/authorized_keys")).contains("ops@example"), "others keep theirs");
    }

    @Test
    void aMalformedAuthFileIsReportedAndNotClobbered() throws Exception {
        Files.createDirectories(at("/run/ostree"));
        Files.writeString(at("/run/ostree/auth.json"), "{\"auths\": ");
        Agent.Run run = run();
        assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
        assertTrue(run.err().contains("/run/ostree/auth.json: is not valid JSON (containers-auth.json); left as it is"), run.err());
        assertEquals("{\"auths\": ", Files.readString(at("/run/ostree/auth.json")));
        assertEquals(DB, Files.readString(at("/run/credstore/db-password")), "the other outputs are written");
    }

    /** A bad declaration fails the run before anything is written, naming the entry. */
    void refused(String userData, String expected) throws Exception {
        serve(userData, DB);
        List<String> before = Agent.files(root);
        Agent.Run run = run();
        assertEquals(ExitCode.INVALID, run.exit(), run.all());
        assertTrue(run.err().contains(expected), "expected <" + expected + "> in\n" + run.err());
        List<String> after = new ArrayList<>(Agent.files(root));
        after.removeAll(before);
        assertEquals(List.of("/run/bootsecrets/lock", "/run/bootsecrets/status.json"), after);
    }

    @Test
    void anUnknownSecretIsRefused() throws Exception {
        refused(USER_DATA.replace("{secret: api-key, encrypt: host}", "{secret: no-such-secret, encrypt: host}"),
                "user-data:bootsecrets.credentials.api-key-sealed.secret: secret no-such-secret is not declared under secrets");
    }

    @Test
    void aBadRegistryNameIsRefused() throws Exception {
        refused(USER_DATA.replace("quay.io/myorg:", "\"https://quay.io/myorg\":"),
                "user-data: bootsecrets.registries.https://quay.io/myorg: has a scheme");
    }

    @Test
    void aCredentialNameWithASlashIsRefused() throws Exception {
        refused(USER_DATA.replace("    db-password: {secret: db-password}\n", "    db/password: {secret: db-password}\n"),
                "user-data: bootsecrets.credentials.db/password: is not a credential name");
    }

    @Test
    void anInvalidVariableNameIsRefused() throws Exception {
        refused(USER_DATA.replace("DB_PASSWORD:", "DB-PASSWORD:"),
                "user-data: bootsecrets.env.myapp.DB-PASSWORD: is not a variable name");
    }

    @Test
    void anUnreadableFileSourceIsRefused() throws Exception {
        Files.createDirectories(at("/usr/lib/bootsecrets/bootstrap/dir.key"));
        refused(USER_DATA.replace("bootstrap/api.key", "bootstrap/dir.key"),
                "user-data:bootsecrets.secrets.api-key (secrets.api-key): unsafe path /usr/lib/bootsecrets/bootstrap/dir.key:"
                        + " not a regular file");
    }
}
