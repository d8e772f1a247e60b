package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.LocalCa;
import dev.bootsecrets.emulator.RegistryTokens;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.testing.DistributionRegistry;
import dev.bootsecrets.testing.HelperInstall;
import dev.bootsecrets.testing.OciImage;
import dev.bootsecrets.testing.PodmanSandbox;
import dev.bootsecrets.testing.Tool;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real pulls: skopeo copies an image from Debian's docker-registry (htpasswd auth, TLS from the
 * emulator's CA) under ECR, Artifact Registry and ACR host names, with the auth file a boot run
 * wrote for {@code helper: bootsecrets}: its credHelpers entry
 * running docker-credential-bootsecrets (the JVM launcher, by its link's name), which gets the
 * password from the emulator's ECR, metadata server and ACR exchange. The registry host names
 * resolve to 127.0.0.1 only inside skopeo's own mount namespace (a private /etc/hosts), where
 * the helper's /etc/bootsecrets and /run are the test's as well: nothing leaves loopback.
 * podman 4.3 pulls the same way, with the auth file the run wrote at /run/containers/0/auth.json:
 * a plain login, and a credHelpers entry for the helper.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryPullTest {
    static final String ECR = CredentialHelperTest.ECR;
    static final String GAR = CredentialHelperTest.GAR;
    static final String ACR = CredentialHelperTest.ACR;
    static final String IMAGE = "demo/app:v1";
    private static final String NAMESPACE = """
            set -e
            mount --bind "$BS_HOSTS" /etc/hosts
            mount --bind "$BS_ETC" /etc/bootsecrets
            mount -t tmpfs -o mode=0755 tmpfs /run
            mkdir /run/bootsecrets
            mount --bind "$BS_RUN" /run/bootsecrets
            if [ -n "${BS_CONTAINERS:-}" ]; then
                mkdir /run/containers
                mount --bind "$BS_CONTAINERS" /run/containers
            fi
            exec "$@"
            """;

    @TempDir
    static Path dir;
    private final List<AutoCloseable> running = new ArrayList<>();
    private boolean madeEtcDir;
    private Path bin;
    private Path hosts;
    private DistributionRegistry registry;
    private String layer;
    private Emulator aws;
    private Emulator gcp;
    private Emulator azure;
    private final Scenario awsScenario = Scenario.sample("aws");
    private final Scenario azureScenario = Scenario.sample("azure");
    private String googleToken;
    private final Map<String, Emulator> emulators = new java.util.HashMap<>();

    @BeforeAll
    void start() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: unshare --mount");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/docker-registry")), "needs docker-registry (scripts/setup)");
        // the mount point of the helper's config inside the namespace; an empty directory
        Path etc = Path.of("/etc/bootsecrets");
        if (!Files.isDirectory(etc)) {
            Files.createDirectory(etc);
            madeEtcDir = true;
        }
        bin = HelperInstall.install(dir.resolve("bin"));
        hosts = dir.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 localhost\n127.0.0.1 " + ECR + " " + GAR + " " + ACR + "\n");
        aws = started("aws", awsScenario);
        gcp = started("gcp", Scenario.sample("gcp"));
        azure = started("azure", azureScenario);
        sandbox("aws", aws);
        sandbox("gcp", gcp);
        sandbox("azure", azure);
        // The metadata server's tokens are random: the helper gets one first (and caches it),
        // and the registry is given that one.
        googleToken = googleTokenFromHelper();
        registry = DistributionRegistry.start(dir.resolve("registry"), LocalCa.create("bootsecrets test CA"),
                List.of(ECR, GAR, ACR), Map.of(
                        "AWS", RegistryTokens.password(awsScenario, "ecr", ECR),
                        "oauth2accesstoken", googleToken,
                        "00000000-0000-0000-0000-000000000000", RegistryTokens.password(azureScenario, "acr", ACR)));
        running.add(registry);
        layer = OciImage.write(Files.createDirectories(dir.resolve("image")), "v1", "hello.txt", "hello from bootsecrets\n");
        push();
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : running.reversed()) {
            c.close();
        }
        if (madeEtcDir) {
            Files.deleteIfExists(Path.of("/etc/bootsecrets"));
        }
    }

    @Test
    void skopeoPullsFromEcrWithTheTokenTheHelperGotByTheRole() throws Exception {
        Tool.Result pull = pull("aws", ECR);

        assertEquals(0, pull.exit(), pull.toString());
        assertPulled("aws");
        assertTrue(aws.log().requests().stream().anyMatch(r -> r.method().equals("POST") && r.status() == 200),
                "ECR's GetAuthorizationToken was not asked");
    }

    @Test
    void skopeoPullsFromArtifactRegistryWithTheServiceAccountsToken() throws Exception {
        Tool.Result pull = pull("gcp", GAR);

        assertEquals(0, pull.exit(), pull.toString());
        assertPulled("gcp");
        assertFalse(pull.toString().contains(googleToken));
    }

    @Test
    void skopeoPullsFromAcrWithTheExchangedRefreshToken() throws Exception {
        Tool.Result pull = pull("azure", ACR);

        assertEquals(0, pull.exit(), pull.toString());
        assertPulled("azure");
        assertTrue(azure.log().requests().stream().anyMatch(r -> r.path().equals("/oauth2/exchange") && r.status() == 200));
    }

    @Test
    void aWrongTokenFailsThePull() throws Exception {
        // another instance: the emulator hands out another password than the registry's
        Scenario other = new Scenario("i-0fedcba9876543210", awsScenario.hostname(), awsScenario.region(), awsScenario.zone(),
                List.of(), Map.of(), java.util.Optional.empty(), awsScenario.aws(), awsScenario.faults());
        Emulator emulator = started("aws", other);
        sandbox("aws-other", emulator);

        Tool.Result pull = pull("aws-other", ECR);

        assertNotEquals(0, pull.exit(), pull.toString());
        assertTrue(emulator.log().requests().stream().anyMatch(r -> r.method().equals("POST") && r.status() == 200),
                "the helper got no token to be refused");
        assertTrue(pull.stderr().contains("unauthorized"), pull.toString());
        assertFalse(Files.exists(dir.resolve("pulled-aws-other/index.json")));
        assertFalse(pull.toString().contains(RegistryTokens.password(other, "ecr", ECR)));
    }

    @Test
    void expiredRoleCredentialsFailThePull() throws Exception {
        Scenario s = awsScenario;
        Emulator expired = started("aws", s.withAws(new Scenario.Aws(false, true, "bootsecrets-demo", 0)));
        sandbox("aws-expired", expired);

        Tool.Result pull = pull("aws-expired", ECR);

        assertNotEquals(0, pull.exit(), pull.toString());
        assertTrue(pull.toString().contains("ExpiredTokenException"), pull.toString());
        assertFalse(pull.toString().contains(RegistryTokens.password(s, "ecr", ECR)));
        assertTrue(expired.log().requests().stream().anyMatch(r -> r.method().equals("POST") && r.status() == 403));
    }

    @Test
    void podmanPullsWithTheLoginTheRunWroteToItsAuthFile() throws Exception {
        String registryKey = ECR + ":" + registry.port();
        Agent.writeConfig(root("aws"), config("aws", """
                registryAuth: {podman: true}
                secrets: {ecr-password: {value: "%s"}}
                registries: {"%s": {username: AWS, password: {secret: ecr-password}}}
                """.formatted(RegistryTokens.password(awsScenario, "ecr", ECR), registryKey)));
        long tokens = tokenRequests(aws);

        Tool.Result pull = podmanPull("aws", ECR);

        assertEquals(0, pull.exit(), pull.toString());
        assertEquals(tokens, tokenRequests(aws), "the login in the auth file needs no helper");
    }

    @Test
    void podmanPullsFromEcrThroughTheCredentialHelperItsAuthFileNames() throws Exception {
        String registryKey = ECR + ":" + registry.port();
        Agent.writeConfig(root("aws"), config("aws", "registryAuth: {podman: true}\nregistries: {\"" + registryKey
                + "\": {helper: bootsecrets}}\n"));
        // a token an earlier pull cached would spare the helper its request
        Path tokens = root("aws").resolve("run/bootsecrets/registry-tokens");
        if (Files.isDirectory(tokens)) {
            try (var cached = Files.list(tokens)) {
                for (Path t : cached.toList()) {
                    Files.delete(t);
                }
            }
        }

        Tool.Result pull = podmanPull("aws", ECR);

        assertEquals(0, pull.exit(), pull.toString());
        assertTrue(aws.log().requests().stream().anyMatch(r -> r.method().equals("POST") && r.status() == 200),
                "ECR's GetAuthorizationToken was not asked");
        assertFalse(pull.toString().contains(RegistryTokens.password(awsScenario, "ecr", ECR)));
    }

    /**
     * A boot run of {@code machine} with the config as written, then {@code podman pull} as root
     * with no --authfile: podman finds /run/containers/0/auth.json, the file the run wrote, by itself.
     */
    private Tool.Result podmanPull(String machine, String host) throws Exception {
        assumeTrue(PodmanSandbox.available(), "needs podman (scripts/setup)");
        Agent.Run run = Agent.main("run", "--root", root(machine).toString());
        assertEquals(0, run.exit(), run.all());
        assertTrue(Files.exists(root(machine).resolve("run/containers/0/auth.json")));
        PodmanSandbox podman = PodmanSandbox.create(dir.resolve("podman-" + System.nanoTime()));
        Map<String, String> env = new java.util.HashMap<>(podman.env());
        env.put("BS_CONTAINERS", root(machine).resolve("run/containers").toString());
        Tool.Result pull = inNamespace(machine, List.of("podman", "pull", "--cert-dir", registry.certDir().toString(),
                host + ":" + registry.port() + "/" + IMAGE), env);
        if (pull.exit() == 0) {
            assertEquals(0, podman.podman("image", "exists", host + ":" + registry.port() + "/" + IMAGE).exit(),
                    "podman says it pulled, but has no such image");
        }
        return pull;
    }

    /** ECR's GetAuthorizationToken calls so far: the emulator's only POSTs on AWS's side here. */
    private static long tokenRequests(Emulator emulator) {
        return emulator.log().requests().stream().filter(r -> r.method().equals("POST")).count();
    }

    private Emulator started(String provider, Scenario scenario) throws Exception {
        Emulator e = Emulator.start(provider, new InetSocketAddress("127.0.0.1", 0), scenario);
        running.add(e);
        return e;
    }

    /** One machine's root: its config (the helper's too, as /etc/bootsecrets) and its /run/bootsecrets. */
    private void sandbox(String name, Emulator emulator) throws Exception {
        Path root = Agent.sandbox(dir.resolve(name));
        Files.createDirectories(root.resolve("run/bootsecrets"));
        emulators.put(name, emulator);
        Agent.writeConfig(root, config(name, ""));
    }

    private String config(String name, String registries) {
        String url = emulators.get(name).url().toString();
        return """
                provider: %s
                metadata: {url: "%s"}
                endpoints: {ecr: "%s", acr: "%s/oauth2/exchange"}
                %s""".formatted(name.replaceAll("-.*", ""), url, url, url, registries);
    }

    private Path root(String name) {
        return dir.resolve(name).resolve("root");
    }

    private String googleTokenFromHelper() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Log.configure(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
        int exit = CredentialHelper.run(new String[] {"credential-helper", "--root", root("gcp").toString(), "get"},
                new ByteArrayInputStream(GAR.getBytes(StandardCharsets.UTF_8)), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, "the helper's get for Artifact Registry failed");
        return new ObjectMapper().readTree(out.toByteArray()).get("Secret").asText();
    }

    /** Pushes the test's image with a plain login (the helper is what the pulls test). */
    private void push() throws Exception {
        Path auth = dir.resolve("push-auth.json");
        String login = Base64.getEncoder().encodeToString(
                ("AWS:" + RegistryTokens.password(awsScenario, "ecr", ECR)).getBytes(StandardCharsets.UTF_8));
        Files.writeString(auth, "{\"auths\": {\"" + ECR + ":" + registry.port() + "\": {\"auth\": \"" + login + "\"}}}");
        Tool.Result push = inNamespace("aws", List.of("skopeo", "copy", "--insecure-policy",
                "--dest-authfile", auth.toString(), "--dest-cert-dir", registry.certDir().toString(),
                "oci:" + dir.resolve("image") + ":v1", "docker://" + ECR + ":" + registry.port() + "/" + IMAGE));
        assertEquals(0, push.exit(), push.toString());
    }

    /**
     * A boot run of {@code machine} declaring {@code helper: bootsecrets} for {@code host}, then
     * skopeo copy from it with the auth file the run wrote for bootc (its only login is that
     * credHelpers entry).
     */
    private Tool.Result pull(String machine, String host) throws Exception {
        String registryKey = host + ":" + registry.port();
        Agent.writeConfig(root(machine), config(machine, "registries: {\"" + registryKey + "\": {helper: bootsecrets}}\n"));
        Agent.Run run = Agent.main("run", "--root", root(machine).toString());
        assertEquals(0, run.exit(), run.all());
        Path auth = root(machine).resolve("run/ostree/auth.json");
        assertEquals("bootsecrets", new ObjectMapper().readTree(auth.toFile()).path("credHelpers").path(registryKey).asText());
        return inNamespace(machine, List.of("skopeo", "copy", "--insecure-policy",
                "--src-authfile", auth.toString(), "--src-cert-dir", registry.certDir().toString(),
                "docker://" + host + ":" + registry.port() + "/" + IMAGE, "oci:" + dir.resolve("pulled-" + machine) + ":v1"));
    }

    private void assertPulled(String machine) throws Exception {
        Path blob = dir.resolve("pulled-" + machine + "/blobs/sha256/" + layer.substring("sha256:".length()));
        assertTrue(Files.isRegularFile(blob), "the image's layer was not pulled");
    }

    private Tool.Result inNamespace(String machine, List<String> command) throws Exception {
        return inNamespace(machine, command, Map.of());
    }

    private Tool.Result inNamespace(String machine, List<String> command, Map<String, String> extra) throws Exception {
        List<String> argv = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", NAMESPACE, "sh"));
        argv.addAll(command);
        Path root = root(machine);
        Map<String, String> env = new java.util.HashMap<>(extra);
        env.putAll(Map.of(
                "PATH", Tool.pathWith(bin),
                "BOOTSECRETS_JAVA", System.getProperty("java.home"),
                "BS_HOSTS", hosts.toString(),
                "BS_ETC", root.resolve("etc/bootsecrets").toString(),
                "BS_RUN", root.resolve("run/bootsecrets").toString()));
        return Tool.run(argv, env, new byte[0], java.time.Duration.ofMinutes(3));
    }
}
