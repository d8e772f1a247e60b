package dev.bootsecrets.config;

import static dev.bootsecrets.config.UserDataTest.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.config.Declarations.Content;
import dev.bootsecrets.config.Declarations.CredentialDecl;
import dev.bootsecrets.config.Declarations.Encryption;
import dev.bootsecrets.config.Declarations.EnvVar;
import dev.bootsecrets.config.Declarations.RegistryLogin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** registries, credentials, env and registryAuth: what they read into, and every bad entry by its path. */
class OutputSchemaTest {
    @TempDir
    Path dir;

    static Config userData(String section) throws ConfigException {
        return UserData.apply(ConfigLoader.defaults(), utf8("#cloud-config\nbootsecrets:\n" + section));
    }

    static List<String> errors(String section) {
        return assertThrows(ConfigException.class, () -> userData(section)).errors();
    }

    static void assertHas(List<String> errors, String expected) {
        assertTrue(errors.contains(expected), "expected <" + expected + "> in " + errors);
    }

    @Test
    void readsTheThreeKindsOfRegistryLogin() throws Exception {
        Declarations d = userData("""
                  registries:
                    quay.io/myorg/app: {username: robot, password: {secret: robot-token}}
                    "registry.example.com:5000": {identityToken: {secret: token}}
                    123456789012.dkr.ecr.us-east-1.amazonaws.com: {helper: ecr-login}
                """).declarations();
        Map<String, RegistryLogin> byKey = d.registries().stream()
                .collect(Collectors.toMap(Declarations.RegistryDecl::registry, Declarations.RegistryDecl::login));
        assertEquals(new RegistryLogin.Password("robot", "robot-token"), byKey.get("quay.io/myorg/app"));
        assertEquals(new RegistryLogin.IdentityToken("<token>", "token"), byKey.get("registry.example.com:5000"));
        assertEquals(new RegistryLogin.Helper("ecr-login"), byKey.get("123456789012.dkr.ecr.us-east-1.amazonaws.com"));
        assertEquals("user-data:bootsecrets.registries.quay.io/myorg/app", d.registries().get(0).origin().toString());
    }

    @Test
    void badRegistryKeysAreRefusedByName() {
        List<String> e = errors("""
                  registries:
                    "https://quay.io": {helper: x}
                    "quay.io/": {helper: x}
                    "*.example.com": {helper: x}
                    "quay.io/org/app:latest": {username: u, password: {secret: s}}
                    "quay.io:99999": {helper: x}
                    "quay.io/Org": {username: u, password: {secret: s}}
                    "quay.io/org": {helper: x}
                """);
        String p = "user-data: bootsecrets.registries.";
        assertHas(e, p + "https://quay.io: has a scheme; write the registry as host[:port][/namespace], without http:// or https://");
        assertHas(e, p + "quay.io/: ends with '/'; write host[:port][/namespace] without it");
        assertHas(e, p + "*.example.com: has a wildcard; containers-auth.json matches registries literally (host[:port][/namespace])");
        assertHas(e, p + "quay.io/org/app:latest: has a namespace part that is not a repository path (lowercase letters, digits and separators; no tag or digest)");
        assertHas(e, p + "quay.io:99999: does not start with a registry host (host or host:port)");
        assertHas(e, p + "quay.io/Org: has a namespace part that is not a repository path (lowercase letters, digits and separators; no tag or digest)");
        assertHas(e, p + "quay.io/org: a credential helper serves a whole registry: use host[:port] without a namespace");
        assertEquals(7, e.size(), e.toString());
    }

    @Test
    void passwordsAndTokensMustNameASecret() {
        List<String> e = errors("""
                  registries:
                    a.example: {username: u, password: "inline-password"}
                    b.example: {password: {secret: s}}
                    c.example: {username: "a:b", password: {secret: s}}
                    d.example: {helper: h, identityToken: {secret: t}}
                    e.example: {username: u, helper: h}
                    f.example: {}
                """);
        String p = "user-data: bootsecrets.registries.";
        assertHas(e, p + "a.example.password: must be {secret: NAME}, naming a secret declared under secrets");
        assertHas(e, p + "b.example.username: is required with password");
        assertHas(e, p + "c.example.username: is not a username (1 to 256 characters, no ':' and no control characters)");
        assertHas(e, p + "d.example: has identityToken and helper; give one of password (with username), identityToken or helper");
        assertHas(e, p + "e.example.username: goes with password or identityToken, not with helper");
        assertHas(e, p + "f.example: needs one of password (with username), identityToken or helper");
        assertTrue(e.stream().noneMatch(s -> s.contains("inline-password")), e.toString());
    }

    @Test
    void readsCredentialsWithTheirEncryption() throws Exception {
        Declarations d = userData("""
                  credentials:
                    db-password: {secret: db}
                    api.key: {secret: api, encrypt: host}
                    sealed: {secret: api, encrypt: host+tpm2}
                    plain: {secret: db, encrypt: false}
                """).declarations();
        assertEquals(List.of(Encryption.NONE, Encryption.HOST, Encryption.HOST_TPM2, Encryption.NONE),
                d.credentials().stream().map(CredentialDecl::encryption).toList());
        assertEquals("api", d.credentials().get(1).secret());
    }

    @Test
    void badCredentialsAreRefusedByName() {
        List<String> e = errors("""
                  credentials:
                    db/password: {secret: db}
                    ..: {secret: db}
                    nosecret: {encrypt: host}
                    truly: {secret: db, encrypt: true}
                """);
        String p = "user-data: bootsecrets.credentials.";
        assertHas(e, p + "db/password: is not a credential name (" + OutputSchema.CREDENTIAL_RULE + ")");
        assertHas(e, p + "..: is not a credential name (" + OutputSchema.CREDENTIAL_RULE + ")");
        assertHas(e, p + "nosecret.secret: is required: the secret the credential holds");
        assertHas(e, p + "truly.encrypt: must be false, host, tpm2 or host+tpm2");
    }

    @Test
    void readsPodmanSecretsAndRefusesBadOnesByName() throws Exception {
        Declarations d = userData("""
                  podman:
                    db-password: {secret: db}
                    mine: {secret: db, user: alice}
                """).declarations();
        assertEquals(List.of(new Declarations.PodmanDecl("db-password", "db", Optional.empty(), d.podman().get(0).origin()),
                new Declarations.PodmanDecl("mine", "db", Optional.of("alice"), d.podman().get(1).origin())), d.podman());
        assertEquals("user-data:bootsecrets.podman.db-password", d.podman().get(0).origin().toString());

        List<String> e = errors("""
                  podman:
                    "a b": {secret: db}
                    -dash: {secret: db}
                    nosecret: {}
                    extra: {secret: db, mode: "0400"}
                    roots: {secret: db, user: root}
                """);
        String p = "user-data: bootsecrets.podman.";
        assertHas(e, p + "a b: is not a podman secret name (" + OutputSchema.PODMAN_NAME_RULE + ")");
        assertHas(e, p + "-dash: is not a podman secret name (" + OutputSchema.PODMAN_NAME_RULE + ")");
        assertHas(e, p + "nosecret.secret: is required: the secret the podman secret holds");
        assertTrue(e.stream().anyMatch(x -> x.startsWith(p + "extra.mode: unknown key")), e.toString());
        assertHas(e, p + "roots.user: names root: root's podman gets the secret when no user is named");
    }

    @Test
    void userDataNeverReplacesTheConfigsPodmanSecret() throws Exception {
        Files.createDirectories(dir.resolve("etc/bootsecrets"));
        Files.writeString(dir.resolve("etc/bootsecrets/config.yaml"), "podman: {app: {secret: a}}\n");
        List<String> e = assertThrows(ConfigException.class, () -> UserData.apply(ConfigLoader.load(dir, Optional.empty()),
                utf8("#cloud-config\nbootsecrets:\n  podman: {app: {secret: b}}\n"))).errors();
        assertHas(e, "user-data: bootsecrets.podman.app: the config declares this podman secret; user-data never replaces it");
    }

    @Test
    void readsEnvFilesOfLiteralsAndSecrets() throws Exception {
        Declarations d = userData("""
                  env:
                    myapp:
                      DB_PASSWORD: {secret: db}
                      LOG_LEVEL: info
                """).declarations();
        List<EnvVar> vars = d.env().get(0).vars();
        assertEquals(new EnvVar("DB_PASSWORD", new Content.SecretRef("db")), vars.get(0));
        assertEquals("info", ((Content.Literal) vars.get(1).value()).bytes().utf8());
    }

    @Test
    void badEnvEntriesAreRefusedByName() {
        List<String> e = errors("""
                  env:
                    myapp:
                      1BAD: x
                      BAD-NAME: x
                      NUMBER: 5
                      NUL: "a\\0b"
                    my/app: {}
                """);
        String p = "user-data: bootsecrets.env.";
        assertHas(e, p + "myapp.1BAD: is not a variable name (" + OutputSchema.ENV_VAR_RULE + ")");
        assertHas(e, p + "myapp.BAD-NAME: is not a variable name (" + OutputSchema.ENV_VAR_RULE + ")");
        assertHas(e, p + "myapp.NUMBER: must be a string (in quotes) or {secret: NAME}");
        assertHas(e, p + "myapp.NUL: holds a NUL character, which an environment file cannot carry");
        assertHas(e, p + "my/app: is not an env file name (" + Fields.SECRET_NAME_RULE + ")");
    }

    @Test
    void registryAuthIsTheMachinesAndLayersMerge() throws Exception {
        Files.createDirectories(dir.resolve("usr/lib/bootsecrets/config.d"));
        Files.writeString(dir.resolve("usr/lib/bootsecrets/config.d/10-image.yaml"), """
                registryAuth: {podman: true}
                registries:
                  quay.io: {helper: one}
                  ghcr.io: {helper: two}
                """);
        Files.createDirectories(dir.resolve("etc/bootsecrets"));
        Files.writeString(dir.resolve("etc/bootsecrets/config.yaml"), """
                registryAuth: {persist: true}
                registries:
                  quay.io: {helper: three}
                """);
        Config config = ConfigLoader.load(dir, Optional.empty());
        assertEquals(new Settings.RegistryAuth(true, true), config.settings().registryAuth());
        assertEquals(List.of("ghcr.io", "quay.io"),
                config.declarations().registries().stream().map(Declarations.RegistryDecl::registry).toList());
        assertEquals(new RegistryLogin.Helper("three"), config.declarations().registries().get(1).login());

        List<String> e = assertThrows(ConfigException.class, () -> UserData.apply(config,
                utf8("#cloud-config\nbootsecrets:\n  registryAuth: {persist: false}\n"))).errors();
        assertHas(e, "user-data: bootsecrets.registryAuth: user-data may not set this (only the image's or the machine's"
                + " config may; user-data may set version, defaultUser, secrets, ssh, files, registries, credentials, env and podman)");
    }

    @Test
    void userDataKeepsTheConfigsOutputsItDoesNotReplace() throws Exception {
        Files.createDirectories(dir.resolve("etc/bootsecrets"));
        Files.writeString(dir.resolve("etc/bootsecrets/config.yaml"), """
                credentials:
                  from-image: {secret: a}
                env:
                  app: {X: "1"}
                """);
        Config config = UserData.apply(ConfigLoader.load(dir, Optional.empty()), utf8("""
                #cloud-config
                ssh_authorized_keys: ["ssh-ed25519 AAAA x"]
                bootsecrets:
                  credentials:
                    from-user-data: {secret: b}
                """));
        assertEquals(List.of("from-image", "from-user-data"),
                config.declarations().credentials().stream().map(CredentialDecl::name).toList());
        assertEquals(1, config.declarations().env().size());
        assertEquals(1, config.declarations().ssh().size());
    }
}
