package dev.bootsecrets.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.config.Declarations.Source;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secrets managers' {@code from:} forms, the endpoints, and who may name them. */
class CloudSourcesTest {
    @TempDir
    Path root;

    @Test
    void eachFormReadsToItsSource() {
        assertEquals(Optional.of(new Source.AwsSecret("prod/db", Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of("password"))), CloudSources.parse("aws-secretsmanager", "prod/db#password"));
        assertEquals(Optional.of(new Source.AwsSecret("prod/db", Optional.of("AWSPREVIOUS"), Optional.empty(),
                Optional.of("eu-west-1"), Optional.empty())), CloudSources.parse("aws-secretsmanager", "prod/db?stage=AWSPREVIOUS&region=eu-west-1"));
        assertEquals(Optional.of(new Source.AwsSecret("arn:aws:secretsmanager:eu-north-1:123456789012:secret:prod/db-AbCdEf",
                Optional.empty(), Optional.of("EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE"), Optional.of("eu-north-1"), Optional.empty())),
                CloudSources.parse("aws-secretsmanager",
                        "arn:aws:secretsmanager:eu-north-1:123456789012:secret:prod/db-AbCdEf?version=EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE"));
        assertEquals(Optional.of(new Source.AwsParameter("/myapp/api-key", Optional.of("us-west-2"))),
                CloudSources.parse("aws-ssm", "/myapp/api-key?region=us-west-2"));
        assertEquals(Optional.of(new Source.GcpSecret(Optional.empty(), "db-password", "latest")),
                CloudSources.parse("gcp-secretmanager", "secrets/db-password"));
        assertEquals(Optional.of(new Source.GcpSecret(Optional.of("p-1"), "db", "3")),
                CloudSources.parse("gcp-secretmanager", "projects/p-1/secrets/db/versions/3"));
        assertEquals(Optional.of(new Source.AzureSecret("demo-vault", "db-password", Optional.empty())),
                CloudSources.parse("azure-keyvault", "demo-vault/db-password"));
        assertEquals(Optional.of(new Source.AzureSecret("demo-vault", "db", Optional.of("0123456789abcdef0123456789abcdef"))),
                CloudSources.parse("azure-keyvault", "Demo-Vault/db/0123456789abcdef0123456789abcdef"));
    }

    @Test
    void referencesThatCouldSmuggleAnythingButANameAreRefused() {
        for (String bad : List.of("", "prod/db?stage=A&version=0123456789012345678901234567890123", "prod/db?stage=",
                "prod db", "prod/db?region=mars", "prod/db?what=1", "arn:aws:s3:::bucket", "prod/db#")) {
            assertEquals(Optional.empty(), CloudSources.parse("aws-secretsmanager", bad), bad);
        }
        for (String bad : List.of("", "/a//b", "/a/", "/a?x=1", "/a b")) {
            assertEquals(Optional.empty(), CloudSources.parse("aws-ssm", bad), bad);
        }
        for (String bad : List.of("db", "secrets/", "secrets/db/versions/0", "secrets/db/versions/x", "projects/P/secrets/db",
                "secrets/db/../x")) {
            assertEquals(Optional.empty(), CloudSources.parse("gcp-secretmanager", bad), bad);
        }
        for (String bad : List.of("v/db", "vault/", "vault/db/ver/extra", "vault-/db", "vault/db?x", "evil.example.com/db")) {
            assertEquals(Optional.empty(), CloudSources.parse("azure-keyvault", bad), bad);
        }
    }

    @Test
    void userDataMayNotNameThemUnlessTheImageAllows() throws Exception {
        String userData = """
                #cloud-config
                bootsecrets:
                  secrets:
                    db: {from: "aws-secretsmanager:prod/db"}
                    key: {from: "gcp-secretmanager:secrets/key"}
                """;
        ConfigException e = assertThrows(ConfigException.class,
                () -> UserData.apply(ConfigLoader.defaults(), userData.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.errors().stream().anyMatch(m -> m.contains("secrets.db.from: user-data may not use aws-secretsmanager: sources")),
                e.errors().toString());
        assertTrue(e.errors().stream().anyMatch(m -> m.contains("secrets.key.from: user-data may not use gcp-secretmanager:")));

        write("usr/lib/bootsecrets/config.d/10-image.yaml", "userData:\n  sources: [value, aws-secretsmanager]\n");
        Config image = ConfigLoader.load(root, Optional.empty());
        ConfigException still = assertThrows(ConfigException.class,
                () -> UserData.apply(image, userData.getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, still.errors().size(), still.errors().toString());
        assertTrue(still.errors().get(0).contains("gcp-secretmanager"));
        assertTrue(image.settings().userData().allowsSource("aws-secretsmanager"));
    }

    @Test
    void endpointsAreMachineConfigAndMustBeHttpsOrLoopback() throws Exception {
        write("etc/bootsecrets/config.yaml", """
                endpoints:
                  awsSecretsManager: https://vpce-0abc.secretsmanager.{region}.vpce.amazonaws.com
                  awsSsm: https://ssm-fips.{region}.amazonaws.com/
                  azureKeyVault: http://127.0.0.1:8080/keyvault/{vault}
                """);
        Settings.Endpoints endpoints = ConfigLoader.load(root, Optional.empty()).settings().endpoints();
        assertEquals("https://vpce-0abc.secretsmanager.{region}.vpce.amazonaws.com", endpoints.awsSecretsManager());
        assertEquals("https://ssm-fips.{region}.amazonaws.com", endpoints.awsSsm());
        assertEquals(Settings.Endpoints.DEFAULT.gcpSecretManager(), endpoints.gcpSecretManager());
        assertEquals("http://127.0.0.1:8080/keyvault/{vault}", endpoints.azureKeyVault());

        write("etc/bootsecrets/config.yaml", "endpoints:\n  gcpSecretManager: http://secretmanager.example.com\n"
                + "  awsSsm: https://user:pw@ssm.example.com\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(root, Optional.empty()));
        assertEquals(2, e.errors().size(), e.errors().toString());
        assertFalse(e.getMessage().contains("pw@"), "the bad value is not shown");

        String userData = "#cloud-config\nbootsecrets:\n  endpoints: {awsSsm: \"https://evil.example.com\"}\n";
        ConfigException fromUserData = assertThrows(ConfigException.class,
                () -> UserData.apply(ConfigLoader.defaults(), userData.getBytes(StandardCharsets.UTF_8)));
        assertTrue(fromUserData.errors().get(0).contains("endpoints: user-data may not set this"), fromUserData.errors().toString());
    }

    private void write(String path, String text) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
