package dev.bootsecrets.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.config.Declarations.Source;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The join: section and the join: and vault: sources, as config files and user-data give them. */
class JoinSchemaTest {
    @TempDir
    Path root;

    Config load(String yaml) throws ConfigException, IOException {
        Path file = root.resolve("etc/bootsecrets/config.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return ConfigLoader.load(root, Optional.empty());
    }

    String errors(String yaml) {
        return assertThrows(ConfigException.class, () -> load(yaml)).getMessage();
    }

    @Test
    void aJoinServiceWithItsDefaults() throws Exception {
        JoinSettings join = load("""
                join:
                  url: https://provision.example.com/v1/join
                  token: join-token
                  caFile: /usr/lib/bootsecrets/join-ca.pem
                """).settings().join().orElseThrow();
        assertEquals(Duration.ofSeconds(60), join.deadline());
        assertEquals("/etc/pki/bootsecrets/key.pem", join.certificate().keyPath());
        assertEquals("/etc/pki/bootsecrets/cert.pem", join.certificate().certPath());
        JoinSettings.Http http = assertInstanceOf(JoinSettings.Http.class, join.service());
        assertEquals("provision.example.com", http.url().getHost());
        assertEquals(Optional.of("join-token"), http.token());
        assertEquals(Optional.of("/usr/lib/bootsecrets/join-ca.pem"), http.caFile());
    }

    @Test
    void vaultWithEverySection() throws Exception {
        JoinSettings join = load("""
                join:
                  deadline: 2m
                  certificate: {dir: /etc/pki/web, commonName: web-1.example.com}
                  vault:
                    address: https://vault.example.com:8200
                    auth: {method: approle, role: web, roleId: role-id, secretId: secret-id, wrapped: true}
                    kv: {kv: 1, team/kv: 2}
                    pki: {mount: pki_int, role: machine, ttl: 72h}
                    certAuth: {role: web}
                """).settings().join().orElseThrow();
        assertEquals(Duration.ofMinutes(2), join.deadline());
        assertEquals(Optional.of("web-1.example.com"), join.certificate().commonName());
        JoinSettings.Vault vault = assertInstanceOf(JoinSettings.Vault.class, join.service());
        assertEquals(new JoinSettings.AppRole("approle", "web", "role-id", "secret-id", true), vault.auth());
        assertEquals(Map.of("kv", 1, "team/kv", 2), vault.kv());
        assertEquals(Optional.of(new JoinSettings.Pki("pki_int", "machine", Optional.of(Duration.ofHours(72)))), vault.pki());
        assertEquals(Optional.of(new JoinSettings.CertAuth("cert", "web")), vault.certAuth());
    }

    @Test
    void cloudLoginsDefaultTheirMountToTheirMethod() throws Exception {
        JoinSettings.Vault vault = (JoinSettings.Vault) load("""
                join: {vault: {address: "https://vault:8200", auth: {method: aws, role: web}}}
                """).settings().join().orElseThrow().service();
        assertEquals(new JoinSettings.CloudLogin("aws", "aws", "web"), vault.auth());
    }

    @Test
    void aLaterLayerReplacesTheJoinWholeAndNullRemovesIt() throws Exception {
        Path image = root.resolve("usr/lib/bootsecrets/config.d/10.yaml");
        Files.createDirectories(image.getParent());
        Files.writeString(image, "join: {url: https://a.example.com/join, token: t, deadline: 5s}\n");
        JoinSettings join = load("join: {url: https://b.example.com/join}\n").settings().join().orElseThrow();
        assertEquals("b.example.com", ((JoinSettings.Http) join.service()).url().getHost());
        assertEquals(Optional.empty(), ((JoinSettings.Http) join.service()).token(), "not merged with the image's");
        assertEquals(Duration.ofSeconds(60), join.deadline());
        assertFalse(load("join: null\n").settings().join().isPresent());
    }

    @Test
    void mistakesAreNamedByField() {
        String m = errors("""
                join:
                  url: http://provision.example.com/join
                  vault: {address: https://v}
                """);
        assertTrue(m.contains("join: has both url and vault; give one"), m);
        m = errors("join: {url: http://provision.example.com/join}\n");
        assertTrue(m.contains("join.url: plain http:// is refused except to a loopback address (use https://)"), m);
        m = errors("join: {url: \"https://user:secret-in-url@provision.example.com/join\"}\n");
        assertTrue(m.contains("join.url: must not hold credentials"), m);
        assertFalse(m.contains("secret-in-url"), m);
        m = errors("""
                join:
                  token: "not a name"
                  caFile: relative.pem
                  certificate: {dir: /etc/pki/, commonName: "a b"}
                  vault:
                    address: https://vault
                    auth: {method: approle, role: web}
                    kv: {kv: 3}
                    certAuth: {role: web}
                    tls: {}
                """);
        for (String expected : List.of("join.token: belongs to a join service (join.url); for Vault use join.vault.auth",
                "join.caFile: belongs to a join service", "join.certificate.dir: is not an absolute file path",
                "join.certificate.commonName: the value is not a host name", "join.vault.auth.roleId: is missing or empty",
                "join.vault.auth.secretId: is missing or empty", "join.vault.kv.kv: must be the KV version, 1 or 2",
                "join.vault.certAuth: needs join.vault.pki", "join.vault.tls: unknown key")) {
            assertTrue(m.contains(expected), expected + " in " + m);
        }
        m = errors("join: {vault: {address: https://vault, auth: {method: ldap, role: web}}}\n");
        assertTrue(m.contains("join.vault.auth.method: \"ldap\" is not an auth method (use approle, aws, gcp or azure)"), m);
    }

    @Test
    void plainHttpToThisMachineIsAllowed() throws Exception {
        assertTrue(load("join: {url: \"http://127.0.0.1:8080/join\"}\n").settings().join().isPresent());
        assertTrue(load("join: {vault: {address: \"http://localhost:8200\", auth: {method: gcp, role: r}}}\n")
                .settings().join().isPresent());
    }

    @Test
    void userDataMayNotSetTheJoin() throws Exception {
        Config config = load("defaultUser: core\n");
        ConfigException e = assertThrows(ConfigException.class, () -> UserData.apply(config,
                "#cloud-config\nbootsecrets:\n  join: {url: https://elsewhere.example.com/join}\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("user-data: bootsecrets.join: user-data may not set this"), e.getMessage());
    }

    @Test
    void joinAndVaultSources() throws Exception {
        Config config = load("""
                secrets:
                  a: {from: "join:db-password"}
                  b: {from: "vault:secret/myapp/db#password"}
                  c: {from: "vault:team/kv/app/x#api key"}
                """);
        assertEquals(List.of(new Source.FromJoin("db-password"), new Source.FromVault("secret/myapp/db", "password"),
                new Source.FromVault("team/kv/app/x", "api key")),
                config.declarations().secrets().stream().map(Declarations.SecretDecl::source).toList());
        String m = errors("""
                secrets:
                  a: {from: "join:"}
                  b: {from: "vault:secret#password"}
                  c: {from: "vault:secret/db"}
                  d: {from: "vault:secret/../db#k"}
                """);
        assertTrue(m.contains("secrets.a.from: join: needs the name the join service gives the secret"), m);
        for (String s : List.of("b", "c", "d")) {
            assertTrue(m.contains("secrets." + s + ".from: vault: needs a mount, a path and a key (vault:MOUNT/PATH#KEY)"), m);
        }
    }
}
