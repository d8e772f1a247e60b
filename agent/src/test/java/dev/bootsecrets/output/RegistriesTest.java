package dev.bootsecrets.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.config.Declarations.RegistryDecl;
import dev.bootsecrets.config.Declarations.RegistryLogin;
import dev.bootsecrets.config.Origin;
import dev.bootsecrets.config.Settings.RegistryAuth;
import dev.bootsecrets.config.Settings.UserDataPolicy;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.output.Apply.Outcome;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.Manifest;
import dev.bootsecrets.plan.Plan;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.testing.Tool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * containers-auth.json as bootsecrets writes it, read by the real skopeo ({@code login
 * --get-login --authfile}): every declared login, the entries already in the file, and the
 * copies of the lower ostree files bootc would otherwise no longer see.
 */
class RegistriesTest {
    static final UserDataPolicy POLICY = UserDataPolicy.DEFAULT;
    static final String ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

    @TempDir
    Path dir;

    Path root;
    Path helpers;

    static RegistryDecl decl(String registry, RegistryLogin login) {
        return new RegistryDecl(registry, login, Origin.userData("bootsecrets.registries." + registry));
    }

    static final List<RegistryDecl> DECLARED = List.of(
            decl("quay.io/myorg", new RegistryLogin.Password("robot", "robot-token")),
            decl("registry.example.com:5000", new RegistryLogin.IdentityToken("<token>", "refresh")),
            decl(ECR, new RegistryLogin.Helper("ecr-login")));
    static final Map<String, Secret> SECRETS = Map.of(
            "robot-token", Secret.ofUtf8("robot-password-1"), "refresh", Secret.ofUtf8("refresh-token-1"));

    @BeforeEach
    void sandbox() throws Exception {
        root = dir.resolve("root");
        Files.createDirectories(root.resolve("etc"));
        helpers = dir.resolve("bin");
        Files.createDirectories(helpers);
        Path helper = helpers.resolve("docker-credential-ecr-login");
        Files.writeString(helper, "#!/bin/sh\nread registry\n"
                + "printf '{\"ServerURL\":\"%s\",\"Username\":\"helper-user\",\"Secret\":\"x\"}' \"$registry\"\n");
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
    }

    static String auth(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    void writeAuth(String path, String json) throws Exception {
        Path file = root.resolve(path.substring(1));
        Files.createDirectories(file.getParent());
        Files.writeString(file, json);
    }

    /** Plans the declared registries and applies them, as a run would. */
    List<Outcome> run(List<RegistryDecl> declared, RegistryAuth settings) throws Exception {
        try (TargetRoot target = TargetRoot.open(root)) {
            List<String> errors = new ArrayList<>();
            Map<String, Manifest.Entry> tracked = new HashMap<>();
            Manifest previous = Manifest.read(target, new ArrayList<>());
            List<FileIntent> intents = Registries.plan(declared, settings, SECRETS, target, previous, tracked,
                    errors, new ArrayList<>());
            assertEquals(List.of(), errors);
            return Apply.apply(new Plan(intents, List.of(), previous, tracked), target);
        }
    }

    /** The user skopeo would log in to {@code registry} as, with this auth file; empty when it has none. */
    Optional<String> login(String file, String registry) throws Exception {
        Tool.Result r = Tool.run(List.of("skopeo", "login", "--get-login", "--authfile", root.resolve(file.substring(1)).toString(),
                registry), Map.of("PATH", Tool.pathWith(helpers)), new byte[0]);
        return r.exit() == 0 ? Optional.of(r.out().strip()) : Optional.empty();
    }

    @Test
    void skopeoFindsEveryLoginAndTheEntriesOfTheFilesBelow() throws Exception {
        writeAuth(Registries.RUN_OSTREE, "{\"auths\": {\"foreign.example\": {\"auth\": \"" + auth("admin", "pw") + "\"}}}");
        writeAuth(Registries.ETC_OSTREE, "{\"auths\": {\"etc.example\": {\"auth\": \"" + auth("etc-user", "pw") + "\"}}}");
        writeAuth(Registries.USR_OSTREE, "{\"auths\": {\"usr.example\": {\"auth\": \"" + auth("usr-user", "pw") + "\"},"
                + " \"etc.example\": {\"auth\": \"" + auth("shadowed", "pw") + "\"}}}");

        List<Outcome> outcomes = run(DECLARED, RegistryAuth.DEFAULT);
        assertFalse(outcomes.get(0).failed(), outcomes.toString());

        String file = Registries.RUN_OSTREE;
        assertEquals(Optional.of("robot"), login(file, "quay.io/myorg"));
        assertEquals(Optional.of("robot"), login(file, "quay.io/myorg/app"));
        assertEquals(Optional.empty(), login(file, "quay.io"), "a namespace login is only for that namespace");
        assertEquals(Optional.of("<token>"), login(file, "registry.example.com:5000"));
        assertEquals(Optional.of("helper-user"), login(file, ECR));
        assertEquals(Optional.of("admin"), login(file, "foreign.example"), "an entry bootsecrets did not write is kept");
        assertEquals(Optional.of("etc-user"), login(file, "etc.example"), "/etc's entry is carried, over /usr/lib's");
        assertEquals(Optional.of("usr-user"), login(file, "usr.example"));

        Path written = root.resolve("run/ostree/auth.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
        assertEquals(0, Files.getAttribute(written, "unix:uid"));
        String json = Files.readString(written);
        assertTrue(json.contains("\"identitytoken\" : \"refresh-token-1\""), json);
        assertTrue(json.contains("\"" + ECR + "\" : \"ecr-login\""), json);
    }

    @Test
    void aDroppedRegistryGoesAndTheOthersStay() throws Exception {
        writeAuth(Registries.RUN_OSTREE, "{\"auths\": {\"foreign.example\": {\"auth\": \"" + auth("admin", "pw") + "\"}}}");
        run(DECLARED, RegistryAuth.DEFAULT);
        writeAuth(Registries.ETC_OSTREE, "{\"auths\": {\"etc.example\": {\"auth\": \"" + auth("etc-user", "pw") + "\"}}}");

        run(DECLARED.subList(1, 3), RegistryAuth.DEFAULT);
        String file = Registries.RUN_OSTREE;
        assertEquals(Optional.empty(), login(file, "quay.io/myorg"));
        assertEquals(Optional.of("<token>"), login(file, "registry.example.com:5000"));
        assertEquals(Optional.of("helper-user"), login(file, ECR));
        assertEquals(Optional.of("admin"), login(file, "foreign.example"));
        assertEquals(Optional.of("etc-user"), login(file, "etc.example"), "a file added to /etc since is carried now");
    }

    @Test
    void aMalformedAuthFileIsReportedAndLeftAsItIs() throws Exception {
        writeAuth(Registries.RUN_OSTREE, "{\"auths\": {\"half");
        List<Outcome> outcomes = run(DECLARED, RegistryAuth.DEFAULT);
        assertEquals(Optional.of("/run/ostree/auth.json: is not valid JSON (containers-auth.json); left as it is"),
                outcomes.get(0).error());
        assertEquals("{\"auths\": {\"half", Files.readString(root.resolve("run/ostree/auth.json")));
    }

    @Test
    void aMalformedLowerFileFailsTheRunFileRatherThanHidingIt() throws Exception {
        writeAuth(Registries.ETC_OSTREE, "[]");
        List<Outcome> outcomes = run(DECLARED, RegistryAuth.DEFAULT);
        assertEquals(Optional.of("/run/ostree/auth.json: /etc/ostree/auth.json is not a JSON object (containers-auth.json);"
                + " left as it is"), outcomes.get(0).error());
        assertFalse(Files.exists(root.resolve("run/ostree/auth.json")));
    }

    @Test
    void podmanGetsTheLoginsInRunAndOnlyTheHelpersInEtc() throws Exception {
        List<Outcome> outcomes = run(DECLARED, new RegistryAuth(false, true));
        assertEquals(List.of(Registries.RUN_OSTREE, Registries.RUN_PODMAN, Registries.ETC_PODMAN),
                outcomes.stream().map(o -> o.intent().path()).toList());
        assertEquals(Optional.of("robot"), login(Registries.RUN_PODMAN, "quay.io/myorg"));
        assertEquals(Optional.of("helper-user"), login(Registries.RUN_PODMAN, ECR));
        assertEquals(Optional.of("helper-user"), login(Registries.ETC_PODMAN, ECR));
        assertEquals(Optional.empty(), login(Registries.ETC_PODMAN, "quay.io/myorg"), "no secret persists in /etc");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("run/containers/0"))));
    }

    @Test
    void aHelperOnlyRegistryStillGetsBootcAFile() throws Exception {
        run(List.of(decl(ECR, new RegistryLogin.Helper("ecr-login"))), new RegistryAuth(true, false));
        assertEquals("{\n  \"auths\" : { },\n  \"credHelpers\" : {\n    \"" + ECR + "\" : \"ecr-login\"\n  }\n}\n",
                Files.readString(root.resolve("etc/ostree/auth.json")));
        assertFalse(Files.exists(root.resolve("run/ostree/auth.json")));
    }
}
