package dev.bootsecrets.cli;

import static dev.bootsecrets.cli.Agent.mode;
import static dev.bootsecrets.cli.Agent.owner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.cloud.aws.AwsCredentials;
import dev.bootsecrets.emulator.RequestLog;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Emulated;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each cloud's secrets manager as a secret source, the whole run against the emulator: the value
 * lands with its owner and mode; denied, missing or refused credentials end the run with exit 3
 * and nothing written; no value or token appears in the output, the status file or argv.
 */
class SecretManagersEndToEndTest {
    static final String DB_JSON = "{\"username\":\"app\",\"password\":\"pw-7Hq2-from-secrets-manager\"}";
    static final String PARAMETER = "ssm-api-key-Zr81-value";
    static final String GCP_V1 = "gcp-first-version-value";
    static final String GCP_V2 = "gcp-latest-version-Wm3";
    static final String AZURE_OLD = "azure-old-value";
    static final String AZURE_NEW = "azure-current-value-Qp5";
    static final Scenario.Secrets SECRETS = new Scenario.Secrets(
            Map.of("prod/db", List.of("{\"password\":\"old-password-value\"}", DB_JSON), "prod/blob", List.of("base64:AAECAwQ="),
                    "prod/other", List.of("not-for-this-machine")),
            Map.of("/myapp/api-key", PARAMETER),
            Map.of("db-password", List.of(GCP_V1, GCP_V2), "other", List.of("not-for-this-machine")),
            Map.of("demo-vault/db-password", List.of(AZURE_OLD, AZURE_NEW), "demo-vault/other", List.of("nope")),
            List.of("prod/other", "other", "demo-vault/other"));

    @TempDir
    Path dir;

    Path root;
    @RegisterExtension
    final Emulated cloud = new Emulated();

    @BeforeEach
    void sandbox() throws IOException {
        root = Agent.sandbox(dir);
    }

    @Test
    void awsSecretsManagerAndSsmValuesLandWithOwnerAndMode() throws Exception {
        serve("aws", Scenario.sample("aws").withSecrets(SECRETS));
        config("aws", """
                secrets:
                  db-password: {from: "aws-secretsmanager:prod/db#password"}
                  db-old: {from: "aws-secretsmanager:prod/db?stage=AWSPREVIOUS#password"}
                  blob: {from: "aws-secretsmanager:prod/blob"}
                  api-key: {from: "aws-ssm:/myapp/api-key"}
                files:
                  /etc/myapp/db.password: {secret: db-password, owner: myapp, group: myapp, mode: "0400"}
                  /etc/myapp/db.old: {secret: db-old, mode: "0600"}
                  /etc/myapp/blob: {secret: blob, mode: "0600"}
                credentials:
                  api-key: {secret: api-key}
                """);

        Agent.Run run = run("aws");

        assertEquals(0, run.exit(), run.all());
        Path password = root.resolve("etc/myapp/db.password");
        assertEquals("pw-7Hq2-from-secrets-manager", Files.readString(password));
        assertEquals("990:990", owner(password));
        assertEquals("r--------", mode(password));
        assertEquals("old-password-value", Files.readString(root.resolve("etc/myapp/db.old")));
        assertEquals(List.of((byte) 0, (byte) 1, (byte) 2, (byte) 3, (byte) 4), bytes(root.resolve("etc/myapp/blob")));
        Path credential = root.resolve("run/credstore/api-key");
        assertEquals(PARAMETER, Files.readString(credential));
        assertEquals("0:0", owner(credential));
        for (RequestLog.Entry entry : cloud.emulator().log().requests()) {
            if (entry.method().equals("POST")) {
                assertEquals(200, entry.status(), "signed and accepted: " + entry.path());
                assertTrue(entry.headers().containsAll(List.of("authorization", "x-amz-security-token", "x-amz-date")));
            }
        }
        AwsCredentials role = AwsCredentials.fromImds(cloud.emulator().url(), false, cloud.http(), Emulated.seconds(5));
        assertNowhere(run, "pw-7Hq2-from-secrets-manager", "old-password-value", PARAMETER,
                role.secretAccessKey().utf8(), role.sessionToken().utf8());
    }

    @Test
    void awsDeniedGivesExit3NamingTheSecretAndSourceAndWritesNothing() throws Exception {
        serve("aws", Scenario.sample("aws").withSecrets(SECRETS));
        config("aws", """
                secrets:
                  mine: {from: "aws-ssm:/myapp/api-key"}
                  theirs: {from: "aws-secretsmanager:prod/other"}
                files:
                  /etc/myapp/mine: {secret: mine}
                  /etc/myapp/theirs: {secret: theirs}
                """);

        Agent.Run run = run("aws");

        assertEquals(3, run.exit(), run.all());
        assertTrue(run.err().contains("secrets.theirs"), run.err());
        assertTrue(run.err().contains("aws-secretsmanager:prod/other: access denied"), run.err());
        assertTrue(run.err().contains("AccessDeniedException"), run.err());
        assertFalse(run.err().contains("is not authorized to perform"), "the server's own text is not copied: " + run.err());
        assertNothingWritten();
        assertTrue(status().contains("aws-secretsmanager:prod/other"), status());
        assertNowhere(run, PARAMETER, "not-for-this-machine");
    }

    @Test
    void awsMissingSecretAndParameterGiveExit3() throws Exception {
        serve("aws", Scenario.sample("aws").withSecrets(SECRETS));
        config("aws", """
                secrets:
                  gone: {from: "aws-ssm:/myapp/nothing-here"}
                files:
                  /etc/myapp/gone: {secret: gone}
                """);
        Agent.Run run = run("aws");
        assertEquals(3, run.exit(), run.all());
        assertTrue(run.err().contains("aws-ssm:/myapp/nothing-here: not found"), run.err());
        assertNothingWritten();

        config("aws", """
                secrets:
                  key: {from: "aws-secretsmanager:prod/db#no-such-key"}
                files:
                  /etc/myapp/key: {secret: key}
                """);
        run = run("aws");
        assertEquals(3, run.exit(), run.all());
        assertTrue(run.err().contains("SecretString has no such key"), run.err());
        assertNowhere(run, "pw-7Hq2-from-secrets-manager");
        assertNothingWritten();
    }

    @Test
    void awsExpiredRoleCredentialsAreRefusedByTheServiceWith403() throws Exception {
        serve("aws", Scenario.sample("aws").withSecrets(SECRETS).withAws(new Scenario.Aws(false, true, "bootsecrets-demo", 0)));
        config("aws", """
                secrets:
                  key: {from: "aws-ssm:/myapp/api-key"}
                files:
                  /etc/myapp/key: {secret: key}
                """);

        Agent.Run run = run("aws");

        assertEquals(3, run.exit(), run.all());
        assertTrue(run.err().contains("the role's session token has expired"), run.err());
        assertTrue(cloud.emulator().log().requests().stream().anyMatch(e -> e.method().equals("POST") && e.status() == 403));
        assertNothingWritten();
    }

    @Test
    void gcpSecretManagerGivesTheLatestOrANamedVersion() throws Exception {
        serve("gcp", Scenario.sample("gcp").withSecrets(SECRETS));
        config("gcp", """
                secrets:
                  latest: {from: "gcp-secretmanager:secrets/db-password"}
                  first: {from: "gcp-secretmanager:projects/demo-project/secrets/db-password/versions/1"}
                files:
                  /etc/myapp/latest: {secret: latest, owner: myapp, mode: "0440"}
                  /etc/myapp/first: {secret: first}
                """);

        Agent.Run run = run("gcp");

        assertEquals(0, run.exit(), run.all());
        Path latest = root.resolve("etc/myapp/latest");
        assertEquals(GCP_V2, Files.readString(latest));
        assertEquals("990:990", owner(latest), "the owner's group when none is named");
        assertEquals("r--r-----", mode(latest));
        assertEquals(GCP_V1, Files.readString(root.resolve("etc/myapp/first")));
        assertTrue(cloud.emulator().log().requests().stream().filter(e -> e.path().startsWith("/v1/projects/"))
                .allMatch(e -> e.headers().contains("authorization") && e.status() == 200));
        assertNowhere(run, GCP_V1, GCP_V2, "ya29.");
    }

    @Test
    void gcpDeniedOrMissingGivesExit3() throws Exception {
        serve("gcp", Scenario.sample("gcp").withSecrets(SECRETS));
        config("gcp", """
                secrets:
                  theirs: {from: "gcp-secretmanager:secrets/other"}
                files:
                  /etc/myapp/theirs: {secret: theirs}
                """);
        Agent.Run run = run("gcp");
        assertEquals(3, run.exit(), run.all());
        assertTrue(run.err().contains("gcp-secretmanager:secrets/other/versions/latest: access denied"), run.err());
        assertTrue(run.err().contains("PERMISSION_DENIED"), run.err());
        assertNothingWritten();

        config("gcp", """
                secrets:
                  third: {from: "gcp-secretmanager:secrets/db-password/versions/3"}
                files:
                  /etc/myapp/third: {secret: third}
                """);
        run = run("gcp");
        assertEquals(3, run.exit(), run.all());
        assertTrue(run.err().contains("versions/3: not found"), run.err());
        assertNothingWritten();
    }

    @Test
    void azureKeyVaultGivesTheCurrentValueDeniesOthers() throws Exception {
        serve("azure", Scenario.sample("azure").withSecrets(SECRETS));
        config("azure", """
                secrets:
                  db: {from: "azure-keyvault:demo-vault/db-password"}
                files:
                  /etc/myapp/db: {secret: db, owner: myapp, group: myapp, mode: "0400"}
                """);

        Agent.Run run = run("azure");

        assertEquals(0, run.exit(), run.all());
        Path db = root.resolve("etc/myapp/db");
        assertEquals(AZURE_NEW, Files.readString(db));
        assertEquals("990:990", owner(db));
        assertEquals("r--------", mode(db));
        assertNowhere(run, AZURE_NEW, AZURE_OLD, "Bearer ey");

        Files.delete(db);
        config("azure", """
                secrets:
                  theirs: {from: "azure-keyvault:demo-vault/other"}
                  missing: {from: "azure-keyvault:demo-vault/missing"}
                files:
                  /etc/myapp/theirs: {secret: theirs}
                  /etc/myapp/missing: {secret: missing}
                """);
        run = run("azure");
        assertEquals(3, run.exit(), run.all());
        assertTrue(run.err().contains("azure-keyvault:demo-vault/missing: not found")
                || run.err().contains("azure-keyvault:demo-vault/other: access denied"), run.err());
        assertNothingWritten();
    }

    @Test
    void azureWithoutAManagedIdentityGivesExit3() throws Exception {
        Scenario sample = Scenario.sample("azure").withSecrets(SECRETS);
        Scenario.Azure azure = sample.azure();
        serve("azure", sample.withAzure(new Scenario.Azure(azure.adminUsername(), azure.subscriptionId(), azure.resourceGroup(), false)));
        config("azure", """
                secrets:
                  db: {from: "azure-keyvault:demo-vault/db-password"}
                files:
                  /etc/myapp/db: {secret: db}
                """);
        Agent.Run run = run("azure");
        assertEquals(3, run.exit(), run.all());
        assertTrue(run.err().contains("no managed identity is assigned to this VM"), run.err());
        assertNothingWritten();
    }

    @Test
    void aSourceOfAnotherCloudIsRefused() throws Exception {
        serve("gcp", Scenario.sample("gcp").withSecrets(SECRETS));
        config("gcp", """
                secrets:
                  db: {from: "aws-secretsmanager:prod/db"}
                files:
                  /etc/myapp/db: {secret: db}
                """);
        Agent.Run run = run("gcp");
        assertEquals(3, run.exit(), run.all());
        assertTrue(run.err().contains("needs the instance's aws identity, but this instance runs on gcp"), run.err());
        assertNothingWritten();
    }

    @Test
    void aDryRunReadsNoSecretsManager() throws Exception {
        serve("aws", Scenario.sample("aws").withSecrets(SECRETS));
        config("aws", """
                secrets:
                  key: {from: "aws-ssm:/myapp/api-key"}
                files:
                  /etc/myapp/key: {secret: key}
                """);
        Agent.Run run = run("aws", "--dry-run");
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.out().contains("/etc/myapp/key"), run.out());
        assertTrue(cloud.emulator().log().requests().stream().noneMatch(e -> e.method().equals("POST")));
    }

    private void config(String provider, String declarations) throws IOException {
        String base = cloud.emulator().url().toString();
        Agent.writeConfig(root, """
                endpoints:
                  awsSecretsManager: %s
                  awsSsm: %s
                  gcpSecretManager: %s
                  azureKeyVault: %s/keyvault/{vault}
                metadata:
                  deadline: 10s
                userData:
                  enabled: false
                """.formatted(base, base, base, base) + declarations);
    }

    private Agent.Run run(String provider, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--root", root.toString(), "--provider", provider,
                "--metadata-url", cloud.emulator().url().toString(), "--verbose"));
        args.addAll(List.of(extra));
        return Agent.main(args.toArray(String[]::new));
    }

    private void serve(String provider, Scenario scenario) throws IOException {
        cloud.start(provider, scenario);
    }

    private void assertNothingWritten() throws IOException {
        assertFalse(Files.exists(root.resolve("etc/myapp")) && Agent.files(root.resolve("etc/myapp")).size() > 0,
                "nothing under /etc/myapp");
        assertFalse(Files.exists(root.resolve("run/credstore")), "no credentials");
    }

    private String status() throws IOException {
        return Files.readString(root.resolve("run/bootsecrets/status.json"));
    }

    /** None of {@code values} in the run's output, its status file or manifests. */
    private void assertNowhere(Agent.Run run, String... values) throws IOException {
        List<String> places = new ArrayList<>(List.of(run.all()));
        for (String file : List.of("run/bootsecrets/status.json", "run/bootsecrets/manifest.json", "var/lib/bootsecrets/manifest.json")) {
            Path path = root.resolve(file);
            if (Files.exists(path)) {
                places.add(Files.readString(path, StandardCharsets.UTF_8));
            }
        }
        for (String value : values) {
            for (String place : places) {
                assertFalse(place.contains(value), "a value or token was shown");
            }
        }
    }

    private static List<Byte> bytes(Path file) throws IOException {
        List<Byte> out = new ArrayList<>();
        for (byte b : Files.readAllBytes(file)) {
            out.add(b);
        }
        return out;
    }
}
