package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.emulator.ImdsdServer;
import dev.bootsecrets.emulator.RequestLog;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Emulated;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The imdsd provider against the emulator's systemd-imdsd (io.systemd.InstanceMetadata on a
 * Unix socket): auto picks it when its socket is there, and every metadata read goes through it.
 */
class ImdsdTest {
    @TempDir
    Path dir;

    Path root;
    Path socket;
    ImdsdServer imdsd;
    @RegisterExtension
    final Emulated cloud = new Emulated();

    @BeforeEach
    void sandbox() throws Exception {
        root = Agent.sandbox(dir);
        socket = dir.resolve("imdsd.sock");
        Agent.writeConfig(root, "metadata: {imdsd: " + socket + "}\n");
    }

    @AfterEach
    void stop() {
        if (imdsd != null) {
            imdsd.close();
        }
    }

    @Test
    void autoReadsAwsThroughSystemdImdsd() throws Exception {
        Scenario aws = Scenario.sample("aws");
        serve("aws", aws);
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("systemd-imdsd serves amazon-ec2; reading aws metadata through it"), run.err());
        String keys = Files.readString(root.resolve("var/home/core/.ssh/authorized_keys"));
        for (Scenario.SshKey key : aws.sshKeys()) {
            assertTrue(keys.contains(key.publicKey()), "metadata key " + key.name() + " missing");
        }
        assertTrue(keys.contains("alice@laptop"), "user-data's cloud-config came through systemd-imdsd");
        assertOnlyThroughImdsd();
    }

    @Test
    void gcpThroughSystemdImdsdKeepsItsAttributesAndSection() throws Exception {
        serve("gcp", Scenario.sample("gcp"));
        Agent.Run run = run("--provider", "imdsd");
        assertEquals(0, run.exit(), run.all());
        assertEquals("gcp\n", Files.readString(root.resolve("etc/myapp/cloud")), "the bootsecrets-config attribute");
        assertEquals("demo-registry-token-0001", Files.readString(root.resolve("etc/myapp/api.token")));
        assertOnlyThroughImdsd();
    }

    @Test
    void azureThroughSystemdImdsdReadsTheLeavesAndReportsReadyToTheWireserver() throws Exception {
        Scenario azure = Scenario.sample("azure");
        serve("azure", azure);
        Agent.writeConfig(root, "metadata: {imdsd: " + socket + ", azure: {wireserver: " + cloud.emulator().url() + "}}\n");
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("systemd-imdsd serves microsoft-azure; reading azure metadata through it"), run.err());
        String deploy = Files.readString(root.resolve("var/home/deploy/.ssh/authorized_keys"));
        assertTrue(deploy.contains(key(azure, "deploy")), "a key for the user its path names");
        assertTrue(Files.readString(root.resolve("var/home/core/.ssh/authorized_keys")).contains(key(azure, "ops")));
        assertEquals("demo-registry-token-0001", Files.readString(root.resolve("etc/myapp/api.token")), "a tag");
        assertEquals(azure.instanceId() + "\n", Files.readString(root.resolve("var/lib/bootsecrets/azure-ready")));
        List<RequestLog.Entry> overHttp = cloud.emulator().log().requests().stream()
                .filter(e -> !e.method().equals("VARLINK")).toList();
        assertTrue(overHttp.stream().allMatch(e -> e.path().startsWith("/machine")), "only the ready report: " + overHttp);
    }

    @Test
    void secretsManagersStillGetTheirCredentialsFromTheCloud() throws Exception {
        serve("aws", Scenario.sample("aws").withSecrets(SecretManagersEndToEndTest.SECRETS));
        String url = cloud.emulator().url().toString();
        Agent.writeConfig(root, """
                metadata: {imdsd: %s, url: %s}
                endpoints: {awsSsm: %s}
                secrets:
                  api-key: {from: "aws-ssm:/myapp/api-key"}
                credentials:
                  api-key: {secret: api-key}
                """.formatted(socket, url, url));
        Agent.Run run = run("--provider", "imdsd");
        assertEquals(0, run.exit(), run.all());
        assertEquals(SecretManagersEndToEndTest.PARAMETER, Files.readString(root.resolve("run/credstore/api-key")));
        List<RequestLog.Entry> overHttp = cloud.emulator().log().requests().stream()
                .filter(e -> !e.method().equals("VARLINK")).toList();
        assertTrue(overHttp.stream().anyMatch(e -> e.path().startsWith("/latest/meta-data/iam/security-credentials/")),
                overHttp.toString());
        assertTrue(overHttp.stream().noneMatch(e -> e.path().equals("/latest/meta-data/instance-id")
                || e.path().equals("/latest/user-data")), "the instance's metadata came through systemd-imdsd: " + overHttp);
    }

    @Test
    void aSilentSocketIsAnOutageNamingIt() throws Exception {
        Agent.Run run = run("--provider", "imdsd");
        assertEquals(ExitCode.UNREACHABLE, run.exit(), run.all());
        assertTrue(run.err().contains("systemd-imdsd at " + socket + ": does not answer"), run.err());
        assertEquals(List.of(), Agent.files(root.resolve("var/home")));
    }

    @Test
    void aSocketNotMadeOrServedByRootIsRefusedByName() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root (setpriv to another user, chown)");
        // The emulator's systemd-imdsd as another user, in a directory that user may make its socket in.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Path shared = Files.createDirectory(dir.resolve("nobody"));
        Files.setAttribute(shared, "unix:uid", MetadataLockdownNetnsTest.NOBODY);
        Path impostor = shared.resolve("imdsd.sock");
        Process emulator = MetadataLockdownNetnsTest.startEmulator(asNobody(MetadataLockdownNetnsTest.agent(
                "emulate", "--provider", "aws", "--imdsd", impostor.toString())), dir.resolve("emulator.log"),
                () -> Files.exists(impostor));
        try {
            Agent.writeConfig(root, "metadata: {imdsd: " + impostor + "}\n");
            Agent.Run run = run("--provider", "imdsd");
            assertEquals(ExitCode.UNREACHABLE, run.exit(), run.all());
            assertTrue(run.err().contains("systemd-imdsd at " + impostor + ": the socket file is owned by uid "
                    + MetadataLockdownNetnsTest.NOBODY + ", not root; refusing to read metadata from it"), run.err());

            // Made root's, the file passes; the process listening on it is still not root.
            Files.setAttribute(impostor, "unix:uid", 0);
            run = run("--provider", "imdsd");
            assertEquals(ExitCode.UNREACHABLE, run.exit(), run.all());
            assertTrue(run.err().contains("systemd-imdsd at " + impostor + ": the process listening on it (pid "
                    + emulator.pid() + ") runs as uid " + MetadataLockdownNetnsTest.NOBODY + ", not root"), run.err());
            assertEquals(List.of(), Agent.files(root.resolve("var/home")), "nothing was written");
        } finally {
            MetadataLockdownNetnsTest.stop(emulator);
        }
    }

    @Test
    void aFileThatIsNotASocketIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-socket"), "");
        Agent.writeConfig(root, "metadata: {imdsd: " + file + "}\n");
        Agent.Run run = run("--provider", "imdsd");
        assertEquals(ExitCode.UNREACHABLE, run.exit(), run.all());
        assertTrue(run.err().contains("systemd-imdsd at " + file + ": connect to " + file + ": not a socket"), run.err());
    }

    /**
     * {@code command} as nobody; it keeps CAP_DAC_READ_SEARCH (and nothing else of root's) to
     * read the build's class path under /root, which does not change who it is to SO_PEERCRED.
     */
    private static List<String> asNobody(List<String> command) {
        String id = String.valueOf(MetadataLockdownNetnsTest.NOBODY);
        List<String> out = new ArrayList<>(List.of("setpriv", "--reuid=" + id, "--regid=" + id, "--clear-groups",
                "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"));
        out.addAll(command);
        return out;
    }

    private static String key(Scenario scenario, String name) {
        return scenario.sshKeys().stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow().publicKey();
    }

    private void assertOnlyThroughImdsd() {
        List<RequestLog.Entry> requests = cloud.emulator().log().requests();
        assertTrue(!requests.isEmpty());
        assertTrue(requests.stream().allMatch(e -> e.method().equals("VARLINK")), requests.toString());
    }

    private void serve(String provider, Scenario scenario) throws Exception {
        imdsd = cloud.start(provider, scenario).imdsd(socket);
    }

    private Agent.Run run(String... extra) throws Exception {
        Path dmi = Files.createDirectories(dir.resolve("dmi"));
        List<String> args = new ArrayList<>(List.of("run", "--root", root.toString(), "--verbose",
                "--dmi-dir", dmi.toString(), "--cmdline", root.resolve("proc/cmdline").toString()));
        args.addAll(List.of(extra));
        return Agent.main(args.toArray(String[]::new));
    }
}
