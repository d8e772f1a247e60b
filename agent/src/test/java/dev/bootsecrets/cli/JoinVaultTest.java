package dev.bootsecrets.cli;

import static dev.bootsecrets.cli.Agent.mode;
import static dev.bootsecrets.cli.Agent.owner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.LocalCa;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.testing.FakeVault;
import dev.bootsecrets.tls.Pem;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The join with Vault, end to end: the agent runs against the AWS emulator and a Vault that
 * follows the API documentation, over TLS with a CA this test makes. The registry and
 * credential outputs are not in this tree yet, so file outputs stand in for them
 * (/run/credstore/NAME is where a systemd credential would go).
 */
class JoinVaultTest {
    static final String SECRET_ID_FILE = "/etc/bootsecrets/bootstrap/secret-id";
    static final String DB_PASSWORD = "db-password-value-4e1f9a";
    static final String REGISTRY_PASSWORD = "registry-password-value-7c2d";

    @TempDir
    Path dir;

    Path root;
    Emulator emulator;
    FakeVault vault;

    @BeforeEach
    void start() throws Exception {
        root = Agent.sandbox(dir);
        emulator = Emulator.start("aws", new InetSocketAddress("127.0.0.1", 0), Scenario.sample("aws"));
        LocalCa ca = LocalCa.create("test Vault CA");
        vault = FakeVault.start(ca);
        write("/etc/bootsecrets/vault-ca.pem", ca.pem());
        vault.putKv2("myapp/db", Map.of("password", DB_PASSWORD, "user", "app"));
        vault.putKv1("ci/registry", Map.of("password", REGISTRY_PASSWORD));
    }

    @AfterEach
    void stop() {
        emulator.close();
        vault.close();
    }

    void write(String path, String content) throws Exception {
        Path file = root.resolve(path.substring(1));
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    /** The config of an AppRole join with two KV reads into two outputs, plus {@code join} lines. */
    void configure(String auth, String more) throws Exception {
        Agent.writeConfig(root, """
                secrets:
                  role-id: {value: "%s"}
                  secret-id: {from: "file:%s"}
                  db-password: {from: "vault:secret/myapp/db#password"}
                  registry-password: {from: "vault:kv/ci/registry#password"}
                files:
                  /etc/myapp/db.password: {secret: db-password, owner: myapp, group: myapp, mode: "0400"}
                  /run/credstore/registry-password: {secret: registry-password, mode: "0400"}
                join:
                  deadline: 3s
                  vault:
                    address: %s
                    caFile: /etc/bootsecrets/vault-ca.pem
                    auth: %s
                    kv: {kv: 1}
                %s""".formatted(vault.roleId(), SECRET_ID_FILE, vault.url(), auth, more));
    }

    static final String APPROLE = "{method: approle, role: web, roleId: role-id, secretId: secret-id}";
    static final String WRAPPED = "{method: approle, role: web, roleId: role-id, secretId: secret-id, wrapped: true}";

    Agent.Run run() {
        return Agent.run(root, emulator.url().toString());
    }

    boolean exists(String path) {
        return Files.exists(root.resolve(path.substring(1)));
    }

    String read(String path) throws Exception {
        return Files.readString(root.resolve(path.substring(1)));
    }

    @Test
    void appRoleLoginReadsKvSecretsIntoTheirOutputsThenRevokesTheToken() throws Exception {
        configure(APPROLE, "");
        write(SECRET_ID_FILE, vault.issueSecretId());

        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        Path db = root.resolve("etc/myapp/db.password");
        assertEquals(DB_PASSWORD, Files.readString(db));
        assertEquals("990:990", owner(db));
        assertEquals("r--------", mode(db));
        Path credential = root.resolve("run/credstore/registry-password");
        assertEquals(REGISTRY_PASSWORD, Files.readString(credential), "KV version 1 read");
        assertEquals("0:0", owner(credential));
        assertEquals("r--------", mode(credential));

        assertFalse(exists(SECRET_ID_FILE), "the used secret_id is deleted");
        assertEquals(1, vault.tokens().size());
        assertTrue(vault.revoked(vault.tokens().iterator().next()), "the token is revoked at the end of the run");
        assertEquals(1, vault.calls("/v1/secret/data/myapp/db").size(), "KV v2 path");
        assertEquals(1, vault.calls("/v1/kv/ci/registry").size(), "KV v1 path");
        String status = read("/run/bootsecrets/status.json");
        assertTrue(status.contains("\"outcome\" : \"applied\"") && status.contains("/etc/myapp/db.password"), status);
    }

    @Test
    void aWrappedSecretIdIsLookedUpThenUnwrappedOnce() throws Exception {
        configure(WRAPPED, "");
        String wrapping = vault.wrapSecretId("auth/approle/role/web/secret-id");
        write(SECRET_ID_FILE, wrapping);

        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        assertEquals(DB_PASSWORD, read("/etc/myapp/db.password"));
        List<String> order = vault.calls().stream().map(FakeVault.Call::path).limit(3).toList();
        assertEquals(List.of("/v1/sys/wrapping/lookup", "/v1/sys/wrapping/unwrap", "/v1/auth/approle/login"), order);
        FakeVault.Call unwrap = vault.calls("/v1/sys/wrapping/unwrap").getFirst();
        assertEquals(wrapping, unwrap.headers().get("x-vault-token"), "unwrapped with the wrapping token as client token");
        assertFalse(unwrap.body().contains(wrapping), "and not in the body as well (that would use it up twice)");
        assertFalse(exists(SECRET_ID_FILE));
    }

    @Test
    void aWrappingTokenSomeoneElseUnwrappedIsAPossibleInterceptionAndNothingIsWritten() throws Exception {
        configure(WRAPPED, "");
        String wrapping = vault.wrapSecretId("auth/approle/role/web/secret-id");
        write(SECRET_ID_FILE, wrapping);
        vault.unwrapElsewhere(wrapping);

        Agent.Run run = run();
        assertEquals(ExitCode.JOIN_FAILED, run.exit(), run.all());
        assertTrue(run.err().contains("<3>join failed, nothing written: vault POST /v1/sys/wrapping/lookup: HTTP 400"
                + " (invalid request)"), run.err());
        assertTrue(run.err().contains("POSSIBLE INTERCEPTION"), run.err());
        assertTrue(vault.calls("/v1/auth/approle/login").isEmpty());
        assertFalse(exists("/etc/myapp/db.password"));
        assertFalse(exists("/var/home/core/.ssh/authorized_keys"), "nothing of the run is written");
        assertTrue(exists(SECRET_ID_FILE), "the bootstrap secret is kept");
        assertTrue(read("/run/bootsecrets/status.json").contains("\"outcome\" : \"join-failed\""));
    }

    @Test
    void aWrappingTokenFromAnotherCreationPathIsNotUnwrapped() throws Exception {
        configure(WRAPPED, "");
        write(SECRET_ID_FILE, vault.wrapSecretId("auth/approle/role/admin/secret-id"));

        Agent.Run run = run();
        assertEquals(ExitCode.JOIN_FAILED, run.exit(), run.all());
        assertTrue(run.err().contains("was made by auth/approle/role/admin/secret-id, not by auth/approle/role/web/secret-id;"
                + " refusing to unwrap it"), run.err());
        assertTrue(vault.calls("/v1/sys/wrapping/unwrap").isEmpty(), "the token is left unused");
        assertFalse(exists("/etc/myapp/db.password"));
        assertTrue(exists(SECRET_ID_FILE));
    }

    @Test
    void aDeniedLoginKeepsTheOutputsOfEarlierRunsAndTheBootstrapSecret() throws Exception {
        configure(APPROLE, "");
        write(SECRET_ID_FILE, vault.issueSecretId());
        assertEquals(0, run().exit());
        vault.putKv2("myapp/db", Map.of("password", "a-newer-password-value"));
        write(SECRET_ID_FILE, vault.issueSecretId());
        vault.deny(true);

        Agent.Run run = run();
        assertEquals(ExitCode.JOIN_FAILED, run.exit(), run.all());
        assertTrue(run.err().contains("vault POST /v1/auth/approle/login: HTTP 403 (permission denied)"), run.err());
        assertEquals(DB_PASSWORD, read("/etc/myapp/db.password"), "the earlier run's output is kept");
        assertTrue(exists(SECRET_ID_FILE), "the bootstrap secret is kept for a retry");
    }

    @Test
    void aSealedVaultAskingForAWaitPastTheDeadlineFailsAtOnce() throws Exception {
        configure(APPROLE, "");
        write(SECRET_ID_FILE, vault.issueSecretId());
        vault.seal("3600");

        Agent.Run run = run();
        assertEquals(ExitCode.JOIN_FAILED, run.exit(), run.all());
        assertTrue(run.err().contains("vault POST /v1/auth/approle/login: HTTP 503, asked to retry after 3600 s, past the"
                + " deadline"), run.err());
        assertTrue(exists(SECRET_ID_FILE));
    }

    @Test
    void aSealedVaultPastTheJoinDeadlineWritesNothing() throws Exception {
        configure(APPROLE, "");
        write(SECRET_ID_FILE, vault.issueSecretId());
        vault.seal(true);
        List<String> before = Agent.files(root);

        Agent.Run run = run();
        assertEquals(ExitCode.JOIN_FAILED, run.exit(), run.all());
        assertTrue(run.err().contains("vault POST /v1/auth/approle/login: no answer before the deadline (last: HTTP 503)"),
                run.err());
        List<String> after = Agent.files(root).stream().filter(f -> !f.startsWith("/run/bootsecrets/")).toList();
        assertEquals(before, after, "only the status (and the run lock) is written");
        assertTrue(exists(SECRET_ID_FILE));
    }

    @Test
    void awsLoginSavesItsNonceAndLaterBootsLogInWithIt() throws Exception {
        vault.acceptAws(Scenario.sample("aws").instanceId());
        configure("{method: aws, role: web}", "");

        Agent.Run first = run();
        assertEquals(0, first.exit(), first.all());
        assertEquals(DB_PASSWORD, read("/etc/myapp/db.password"));
        Path nonce = root.resolve("var/lib/bootsecrets/vault-aws-nonce");
        assertEquals(vault.awsNonce(), Files.readString(nonce), "the nonce Vault bound is kept");
        assertEquals("0:0", owner(nonce));
        assertEquals("rw-------", mode(nonce));
        assertFalse(vault.calls("/v1/auth/aws/login").getFirst().body().contains("\\n"), "pkcs7 without line breaks");

        Agent.Run second = run();
        assertEquals(0, second.exit(), second.all());
        assertEquals(2, vault.calls("/v1/auth/aws/login").size());

        Files.delete(nonce); // without it the instance cannot show it is the one that logged in first
        Agent.Run third = run();
        assertEquals(ExitCode.JOIN_FAILED, third.exit(), third.all());
        assertTrue(third.err().contains("POST /v1/auth/aws/login: HTTP 400 (invalid request)"), third.err());
        assertFalse(third.err().contains("client nonce mismatch"), "Vault's text is not echoed");
        assertFalse(Files.exists(nonce), "a nonce Vault refused is not saved");
    }

    /** A run on an Azure VM (emulated) in subscription sub-7, resource group rg-web. */
    Agent.Run runOnAzure(boolean managedIdentity) throws Exception {
        emulator.close();
        Scenario s = Scenario.sample("azure");
        emulator = Emulator.start("azure", new InetSocketAddress("127.0.0.1", 0), new Scenario(s.instanceId(), s.hostname(),
                s.region(), s.zone(), s.sshKeys(), s.attributes(), s.userData(), s.aws(), s.faults(), s.gcp(),
                new Scenario.Azure("core", "sub-7", "rg-web", managedIdentity)));
        configure("{method: azure, role: web}", "");
        return Agent.main("run", "--root", root.toString(), "--provider", "azure", "--metadata-url",
                emulator.url().toString(), "--verbose");
    }

    @Test
    void azureLogsInWithTheVmsManagedIdentityToken() throws Exception {
        vault.acceptAzure("https://management.azure.com/");

        Agent.Run run = runOnAzure(true);
        assertEquals(0, run.exit(), run.all());
        assertEquals(DB_PASSWORD, read("/etc/myapp/db.password"));
        assertEquals(REGISTRY_PASSWORD, read("/run/credstore/registry-password"));
        JsonNode login = new ObjectMapper().readTree(vault.calls("/v1/auth/azure/login").getFirst().body());
        assertEquals("sub-7", login.path("subscription_id").asText());
        assertEquals("rg-web", login.path("resource_group_name").asText());
        assertEquals("demo-vm", login.path("vm_name").asText());
        String jwt = login.path("jwt").asText();
        JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        assertEquals("/subscriptions/sub-7/resourcegroups/rg-web/providers/Microsoft.Compute/virtualMachines/demo-vm",
                claims.path("xms_mirid").asText(), "the managed identity token, not the attested document");
        assertEquals("https://management.azure.com/", claims.path("aud").asText());
        assertFalse(run.all().contains(jwt.split("\\.")[2]), "the token is never logged");
        assertTrue(vault.revoked(vault.tokens().iterator().next()));
    }

    @Test
    void anAzureVmWithoutManagedIdentityFailsTheJoinAndWritesNothing() throws Exception {
        vault.acceptAzure("https://management.azure.com/");

        Agent.Run run = runOnAzure(false);
        assertEquals(ExitCode.JOIN_FAILED, run.exit(), run.all());
        assertTrue(run.err().contains("<3>join failed, nothing written: join.vault.auth: method azure needs the azure"
                + " instance identity, and this run has none: no managed identity is assigned to this VM"), run.err());
        assertTrue(vault.calls().isEmpty(), "Vault is not asked");
        assertFalse(exists("/etc/myapp/db.password"));
        assertFalse(exists("/var/home/core/.ssh/authorized_keys"), "nothing of the run is written");
        assertTrue(read("/run/bootsecrets/status.json").contains("no managed identity is assigned to this VM"));
    }

    @Test
    void pkiSignsACsrMadeHereAndLaterBootsLogInWithThatCertificate() throws Exception {
        configure(APPROLE, """
                    pki: {role: machine, ttl: 24h}
                    certAuth: {role: web}
                """);
        write(SECRET_ID_FILE, vault.issueSecretId());

        Agent.Run first = run();
        assertEquals(0, first.exit(), first.all());
        Path key = root.resolve("etc/pki/bootsecrets/key.pem");
        Path cert = root.resolve("etc/pki/bootsecrets/cert.pem");
        assertEquals("0:0", owner(key));
        assertEquals("rw-------", mode(key));
        assertEquals("rw-r--r--", mode(cert));
        PrivateKey privateKey = Pem.readPrivateKey(Secret.ofUtf8(Files.readString(key)));
        List<X509Certificate> chain = Pem.certificates(Files.readString(cert));
        assertEquals(2, chain.size(), "the certificate, then its issuer");
        assertTrue(certifies(chain.getFirst(), privateKey), "the certificate is for the key on disk");
        assertNeverSent(Files.readString(key));
        assertFalse(exists(SECRET_ID_FILE));

        Agent.Run second = run();
        assertEquals(0, second.exit(), second.all());
        assertEquals(1, vault.calls("/v1/auth/approle/login").size(), "no second AppRole login: the secret_id is gone");
        assertTrue(vault.calls("/v1/auth/cert/login").getFirst().clientCertificate(), "mutual TLS with the machine's certificate");
        assertEquals(DB_PASSWORD, read("/etc/myapp/db.password"));
        assertNeverSent(Files.readString(key));
    }

    @Test
    void theTokenIsKeptAndWrittenOnlyWhenAnOutputAsksForIt() throws Exception {
        configure(APPROLE, "");
        write("/etc/bootsecrets/config.d/60-token.yaml", """
                secrets:
                  vault-token: {from: "join:vault-token"}
                files:
                  /etc/myapp/vault.token: {secret: vault-token, owner: myapp, mode: "0400"}
                """);
        write(SECRET_ID_FILE, vault.issueSecretId());

        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        String token = vault.tokens().iterator().next();
        assertEquals(token, read("/etc/myapp/vault.token"));
        assertFalse(vault.revoked(token));
    }

    @Test
    void checkWarnsWhenTheSecretIdIsNotWrapped() throws Exception {
        configure(APPROLE, "");
        Agent.Run check = Agent.main("check", "--root", root.toString());
        assertEquals(0, check.exit(), check.all());
        assertTrue(check.out().contains("warning: join.vault.auth: the secret_id is not response-wrapped"), check.out());
        configure(WRAPPED, "");
        check = Agent.main("check", "--root", root.toString());
        assertEquals(0, check.exit(), check.all());
        assertFalse(check.out().contains("not response-wrapped"), check.out());
    }

    /** No request carried the private key, whole or line by line. */
    void assertNeverSent(String keyPem) {
        List<String> lines = keyPem.lines().filter(l -> !l.startsWith("-----")).toList();
        String base64 = String.join("", lines);
        for (FakeVault.Call call : vault.calls()) {
            assertFalse(call.body().contains(base64), call.path() + " carried the private key");
            for (String line : lines) {
                assertFalse(call.body().contains(line), call.path() + " carried part of the private key");
            }
        }
        assertTrue(Base64.getDecoder().decode(base64).length > 60, "a real key was checked");
    }

    static boolean certifies(X509Certificate certificate, PrivateKey key) throws Exception {
        byte[] probe = {1, 2, 3};
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(probe);
        return verifier.verify(signature);
    }
}
