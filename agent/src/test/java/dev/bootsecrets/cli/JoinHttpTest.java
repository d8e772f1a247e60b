package dev.bootsecrets.cli;

import static dev.bootsecrets.cli.Agent.mode;
import static dev.bootsecrets.cli.Agent.owner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.JoinServer;
import dev.bootsecrets.emulator.LocalCa;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.tls.Pem;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generic HTTPS join, end to end against the AWS emulator and the join service of the emulator package. */
class JoinHttpTest {
    static final String TOKEN_FILE = "/etc/bootsecrets/bootstrap/join-token";
    static final String TOKEN = "bootstrap-token-3b9e7f21c4";
    static final String DB_PASSWORD = "joined-db-password-8d1e";

    @TempDir
    Path dir;

    Path root;
    Emulator emulator;
    JoinServer join;

    @BeforeEach
    void start() throws Exception {
        root = Agent.sandbox(dir);
        emulator = Emulator.start("aws", new InetSocketAddress("127.0.0.1", 0), Scenario.sample("aws"));
        join = JoinServer.start(new InetSocketAddress("127.0.0.1", 0), TOKEN, Map.of("db-password", DB_PASSWORD));
        write("/etc/bootsecrets/join-ca.pem", join.caPem());
        write(TOKEN_FILE, TOKEN);
        configure(join.url().toString());
    }

    @AfterEach
    void stop() {
        emulator.close();
        join.close();
    }

    void configure(String url) throws Exception {
        configure(url, "caFile: /etc/bootsecrets/join-ca.pem");
    }

    void configure(String url, String trust) throws Exception {
        Agent.writeConfig(root, """
                secrets:
                  join-token: {from: "file:%s"}
                  db-password: {from: "join:db-password"}
                files:
                  /etc/myapp/db.password: {secret: db-password, owner: myapp, group: myapp, mode: "0400"}
                join:
                  url: %s
                  token: join-token
                  %s
                  deadline: 3s
                """.formatted(TOKEN_FILE, url, trust));
    }

    void write(String path, String content) throws Exception {
        Path file = root.resolve(path.substring(1));
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    Agent.Run run() {
        return Agent.run(root, emulator.url().toString());
    }

    boolean exists(String path) {
        return Files.exists(root.resolve(path.substring(1)));
    }

    @Test
    void joinsWithACsrWritesTheCertificateAndTheKeyAndNeverSendsTheKey() throws Exception {
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        assertEquals(DB_PASSWORD, Files.readString(root.resolve("etc/myapp/db.password")));
        Path key = root.resolve("etc/pki/bootsecrets/key.pem");
        Path cert = root.resolve("etc/pki/bootsecrets/cert.pem");
        assertEquals("0:0", owner(key));
        assertEquals("rw-------", mode(key));
        assertEquals("0:0", owner(cert));
        assertEquals("rw-r--r--", mode(cert));
        assertEquals("rwxr-xr-x", mode(key.getParent()));
        PrivateKey privateKey = Pem.readPrivateKey(Secret.ofUtf8(Files.readString(key)));
        List<X509Certificate> chain = Pem.certificates(Files.readString(cert));
        assertTrue(JoinVaultTest.certifies(chain.getFirst(), privateKey), "the certificate is for the key on disk");
        assertEquals("CN=" + Scenario.sample("aws").hostname(), chain.getFirst().getSubjectX500Principal().getName());

        assertEquals(1, join.seen().size());
        JoinServer.Seen request = join.seen().getFirst();
        assertTrue(request.bearer() && !request.clientCertificate());
        JsonNode body = new ObjectMapper().readTree(request.body());
        assertEquals(1, body.path("version").asInt());
        assertEquals("aws", body.path("provider").asText());
        assertEquals(Scenario.sample("aws").instanceId(), body.path("instanceId").asText());
        assertTrue(body.path("identity").asText().length() > 100, "the signed identity document is sent");
        assertTrue(body.path("csr").asText().startsWith("-----BEGIN CERTIFICATE REQUEST-----"));
        String sent = new String(request.body(), StandardCharsets.UTF_8);
        for (String line : Files.readString(key).lines().filter(l -> !l.startsWith("-----")).toList()) {
            assertFalse(sent.contains(line), "the private key was sent");
        }
        assertFalse(exists(TOKEN_FILE), "the used bootstrap token is deleted");
    }

    @Test
    void aRebootWithTheJoinDownRestoresWhatTheJoinGaveMarkedStale() throws Exception {
        Files.writeString(root.resolve("etc/machine-id"), "4f1c2a9e8d7b6c5a4f3e2d1c0b9a8f7e\n");
        Path image = root.resolve("usr/lib/bootsecrets/config.d/50-offline.yaml");
        Files.createDirectories(image.getParent());
        Files.writeString(image, "offline: {maxAge: 7d}\n");
        assertEquals(0, run().exit());
        String key = Files.readString(root.resolve("etc/pki/bootsecrets/key.pem"));
        String cert = Files.readString(root.resolve("etc/pki/bootsecrets/cert.pem"));
        // A new disk state for what the join gave, and the join service down.
        Files.delete(root.resolve("etc/myapp/db.password"));
        Files.delete(root.resolve("etc/pki/bootsecrets/key.pem"));
        Files.delete(root.resolve("etc/pki/bootsecrets/cert.pem"));
        write(TOKEN_FILE, TOKEN);
        join.close();

        Agent.Run down = run();
        assertEquals(ExitCode.STALE, down.exit(), down.all());
        assertTrue(down.err().contains("offline: join failed"), down.err());
        Path password = root.resolve("etc/myapp/db.password");
        assertEquals(DB_PASSWORD, Files.readString(password));
        assertEquals("990:990", owner(password));
        assertEquals("r--------", mode(password));
        assertEquals(key, Files.readString(root.resolve("etc/pki/bootsecrets/key.pem")));
        assertEquals("rw-------", mode(root.resolve("etc/pki/bootsecrets/key.pem")));
        assertEquals(cert, Files.readString(root.resolve("etc/pki/bootsecrets/cert.pem")));
        assertTrue(exists(TOKEN_FILE), "the bootstrap token is kept for the join's retry");
        String status = Files.readString(root.resolve("run/bootsecrets/status.json"));
        assertTrue(status.contains("\"outcome\" : \"stale\""), status);
        assertFalse(down.all().contains(DB_PASSWORD) || status.contains(DB_PASSWORD));
    }

    @Test
    void theBootstrapTokenIsDeletedOnlyAfterASuccessfulJoin() throws Exception {
        join.deny(true);
        Agent.Run denied = run();
        assertEquals(ExitCode.JOIN_FAILED, denied.exit(), denied.all());
        assertTrue(denied.err().contains("HTTP 403 (denied)"), denied.err());
        assertFalse(denied.err().contains("this instance may not join"), "the server's text is not echoed");
        assertTrue(exists(TOKEN_FILE), "kept for a retry");
        assertFalse(exists("/etc/pki/bootsecrets/key.pem"));
        assertFalse(exists("/etc/myapp/db.password"));

        join.deny(false);
        Agent.Run joined = run();
        assertEquals(0, joined.exit(), joined.all());
        assertFalse(exists(TOKEN_FILE));
    }

    @Test
    void aUsersBrokenAuthorizedKeysDoesNotKeepTheBootstrapTokenAlive() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "planting as user core needs chown");
        // core plants a link where the agent writes their keys: that output fails (exit 5), the join's do not
        Path ssh = Files.createDirectories(root.resolve("var/home/core/.ssh"));
        Path planted = Files.createSymbolicLink(ssh.resolve("authorized_keys"), Path.of("/etc/shadow"));
        for (Path p : List.of(ssh, planted)) {
            Files.setAttribute(p, "unix:uid", 1000, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", 1000, LinkOption.NOFOLLOW_LINKS);
        }
        Agent.Run run = run();
        assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
        assertEquals(DB_PASSWORD, Files.readString(root.resolve("etc/myapp/db.password")));
        assertFalse(exists(TOKEN_FILE), "the used token is deleted: the join's own outputs are all written");
    }

    @Test
    void theBootstrapTokenIsKeptWhenWhatTheJoinGaveIsNotWritten() throws Exception {
        Files.createDirectories(root.resolve("etc/myapp/db.password/in-the-way"));
        Agent.Run run = run();
        assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
        assertTrue(exists(TOKEN_FILE), "kept: the join's secret did not reach its file");
        assertTrue(run.err().contains("join: the bootstrap secret is kept: /etc/myapp/db.password, which holds what the"
                + " join gave, was not written"), run.err());
    }

    @Test
    void laterBootsJoinWithTheCertificateInsteadOfTheUsedToken() throws Exception {
        assertEquals(0, run().exit());
        String firstKey = Files.readString(root.resolve("etc/pki/bootsecrets/key.pem"));
        Files.setPosixFilePermissions(root.resolve("etc/pki/bootsecrets"), PosixFilePermissions.fromString("rwxrwxrwx"));

        Agent.Run again = run();
        assertEquals(0, again.exit(), again.all());
        JoinServer.Seen second = join.seen().get(1);
        assertTrue(second.clientCertificate(), "mutual TLS with the certificate of the first join");
        assertFalse(second.bearer(), "no bootstrap token: it is gone");
        String secondKey = Files.readString(root.resolve("etc/pki/bootsecrets/key.pem"));
        assertNotEquals(firstKey, secondKey, "each join makes a new key");
        assertEquals("rwxr-xr-x", mode(root.resolve("etc/pki/bootsecrets")), "nobody else may write beside the key");
        assertTrue(JoinVaultTest.certifies(
                Pem.certificates(Files.readString(root.resolve("etc/pki/bootsecrets/cert.pem"))).getFirst(),
                Pem.readPrivateKey(Secret.ofUtf8(secondKey))));
    }

    @Test
    void aRetryAfterPastTheJoinDeadlineFailsAtOnceKeepingTheToken() throws Exception {
        join.unavailableFor(Integer.MAX_VALUE, Optional.of("3600"));
        Agent.Run run = run();
        assertEquals(ExitCode.JOIN_FAILED, run.exit(), run.all());
        assertTrue(run.err().contains(join.url() + ": HTTP 503, asked to retry after 3600 s, past the deadline"), run.err());
        assertEquals(1, join.seen().size(), "asked once");
        assertTrue(exists(TOKEN_FILE));
    }

    @Test
    void aRetryAfterWithinTheJoinDeadlineIsHonoured() throws Exception {
        join.unavailableFor(1, Optional.of("1"));
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        assertEquals(2, join.seen().size());
    }

    @Test
    void aServiceUnavailablePastTheDeadlineWritesNothing() throws Exception {
        join.unavailableFor(Integer.MAX_VALUE);
        Agent.Run run = run();
        assertEquals(ExitCode.JOIN_FAILED, run.exit(), run.all());
        assertTrue(run.err().contains("no answer before the deadline (last: HTTP 503)"), run.err());
        assertTrue(exists(TOKEN_FILE));
        assertFalse(exists("/etc/pki/bootsecrets/key.pem"));
        assertFalse(exists("/var/home/core/.ssh/authorized_keys"));
    }

    @Test
    void aServerTheCaFileDoesNotVouchForIsRefused() throws Exception {
        write("/etc/bootsecrets/join-ca.pem", LocalCa.create("some other CA").pem());
        Agent.Run run = run();
        assertEquals(ExitCode.JOIN_FAILED, run.exit(), run.all());
        assertTrue(run.err().contains("TLS handshake failed"), run.err());
        assertTrue(join.seen().isEmpty(), "nothing reached the server");
        assertTrue(exists(TOKEN_FILE));
    }

    @Test
    void withoutACaFileTheMachinesOwnCaBundleDecides() throws Exception {
        configure(join.url().toString(), "# no caFile: the machine's CAs");
        Agent.Run untrusted = run();
        assertEquals(ExitCode.JOIN_FAILED, untrusted.exit(), untrusted.all());
        assertTrue(untrusted.err().contains("TLS handshake failed"), untrusted.err());
        assertTrue(join.seen().isEmpty(), "nothing reached the server");

        // As update-ca-trust leaves it on Fedora and RHEL, with the image's own CA added.
        write("/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "# join CA\n" + join.caPem());
        Agent.Run trusted = run();
        assertEquals(0, trusted.exit(), trusted.all());
        assertEquals(DB_PASSWORD, Files.readString(root.resolve("etc/myapp/db.password")));
    }

    @Test
    void plainHttpIsRefusedUnlessToThisMachine() throws Exception {
        configure("http://join.example.com/v1/join");
        Agent.Run run = run();
        assertEquals(ExitCode.INVALID, run.exit(), run.all());
        assertTrue(run.err().contains("join.url: plain http:// is refused except to a loopback address"), run.err());
    }

    @Test
    void aDryRunListsTheJoinOutputsWithoutJoining() throws Exception {
        Agent.Run run = run("--dry-run");
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.out().contains("/etc/pki/bootsecrets/key.pem") && run.out().contains("/etc/myapp/db.password"), run.out());
        assertTrue(join.seen().isEmpty(), "a dry run does not use up the bootstrap token");
        assertTrue(exists(TOKEN_FILE));
    }

    @Test
    void checkNamesSourcesTheJoinCannotGiveAndTokensThatOutliveIt() throws Exception {
        Path dropIn = root.resolve("etc/bootsecrets/config.d/60.yaml");
        Files.createDirectories(dropIn.getParent());
        Files.writeString(dropIn, """
                secrets:
                  join-token: {from: "metadata:attributes/join-token"}
                  from-vault: {from: "vault:secret/app#key"}
                """);
        Agent.Run check = Agent.main("check", "--root", root.toString());
        assertEquals(ExitCode.INVALID, check.exit(), check.all());
        assertTrue(check.out().contains("error: " + dropIn + ":secrets.from-vault (secrets.from-vault): a vault: source,"
                + " but the join is a join service (join.url), not Vault"), check.out());
        assertTrue(check.out().contains("warning: join.token: the bootstrap secret comes from metadata, which cannot be"
                + " deleted after the join: make it single-use on the server"), check.out());

        Agent.Run run = run();
        assertEquals(ExitCode.INVALID, run.exit(), run.all());
        assertTrue(run.err().contains("invalid plan, nothing written: " + dropIn + ":secrets.from-vault"), run.err());
        assertTrue(join.seen().isEmpty(), "a plan that cannot be written does not use up the bootstrap token");
    }

    Agent.Run run(String... extra) {
        return Agent.run(root, emulator.url().toString(), extra);
    }
}
