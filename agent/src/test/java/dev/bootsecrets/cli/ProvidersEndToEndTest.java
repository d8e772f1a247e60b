package dev.bootsecrets.cli;

import static dev.bootsecrets.cli.Agent.mode;
import static dev.bootsecrets.cli.Agent.owner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.emulator.RequestLog;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Emulated;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each provider's whole boot flow into a sandbox root, against the emulator or a seed, checked on disk. */
class ProvidersEndToEndTest {
    static final Scenario GCP = Scenario.sample("gcp");
    static final Scenario AZURE = Scenario.sample("azure");

    @TempDir
    Path dir;

    Path root;
    @RegisterExtension
    final Emulated cloud = new Emulated();

    @BeforeEach
    void sandbox() throws IOException {
        root = Agent.sandbox(dir);
    }

    // ---- Google Cloud

    @Test
    void gcpKeysGoToTheirUsersAndExpiredOnesAreLeftOut() throws Exception {
        serve("gcp", GCP);
        Agent.Run run = run("--provider", "gcp");
        assertEquals(0, run.exit(), run.all());

        Path core = root.resolve("var/home/core/.ssh/authorized_keys");
        String coreKeys = Files.readString(core);
        assertTrue(coreKeys.contains(key(GCP, "ops")), coreKeys);
        assertTrue(coreKeys.contains(key(GCP, "on-call").split(" ")[1]), "a key that has not expired yet is kept");
        assertFalse(coreKeys.contains(key(GCP, "old").split(" ")[1]), "an expired key is left out");
        assertEquals("1000:1000", owner(core));
        assertEquals("rw-------", mode(core));
        assertEquals("rwx------", mode(core.getParent()));

        Path deploy = root.resolve("var/home/deploy/.ssh/authorized_keys");
        assertTrue(Files.readString(deploy).contains(key(GCP, "deploy")), "the project-wide key of deploy");
        assertFalse(Files.readString(deploy).contains(key(GCP, "ops")));
        assertEquals("1001:1001", owner(deploy));
        assertEquals("rw-------", mode(deploy));

        assertEquals("gcp\n", Files.readString(root.resolve("etc/myapp/cloud")), "the bootsecrets-config attribute");
        assertEquals("demo-registry-token-0001", Files.readString(root.resolve("etc/myapp/api.token")));
        assertEquals(1, cloud.emulator().log().count(), "instance and project in one request");
    }

    @Test
    void gcpBlockedProjectKeysAreLeftOut() throws Exception {
        serve("gcp", withAttribute(GCP, "block-project-ssh-keys", "TRUE"));
        Agent.Run run = run("--provider", "gcp");
        assertEquals(0, run.exit(), run.all());

        String deploy = Files.readString(root.resolve("var/home/deploy/.ssh/authorized_keys"));
        assertFalse(deploy.contains(key(GCP, "deploy")), deploy);
        assertTrue(deploy.contains("deploy@ci"), "user-data's keys still count");
        assertTrue(Files.readString(root.resolve("var/home/core/.ssh/authorized_keys")).contains(key(GCP, "ops")));
    }

    @Test
    void gcpOsLoginMeansNoMetadataKeys() throws Exception {
        serve("gcp", withAttribute(GCP, "enable-oslogin", "TRUE"));
        Agent.Run run = run("--provider", "gcp");
        assertEquals(0, run.exit(), run.all());

        String core = Files.readString(root.resolve("var/home/core/.ssh/authorized_keys"));
        assertFalse(core.contains(key(GCP, "ops")), core);
        assertTrue(core.contains("alice@laptop"), "user-data's keys still count");
        assertFalse(Files.readString(root.resolve("var/home/deploy/.ssh/authorized_keys")).contains(key(GCP, "deploy")));
        assertTrue(run.err().contains("<5>gcp: OS Login is enabled"), run.err());
    }

    /** The attack: a project editor's bootsecrets-config giving core a key on an OS Login instance. */
    static final String PROJECT_SECTION = "ssh: {core: [\"" + TrustBoundaryTest.KEY + "\"]}\n"
            + "files: {/etc/myapp/project: {content: \"project\\n\", mode: \"0644\"}}\n";

    private static Scenario withProjectSection(Map<String, String> instanceAttributes) {
        Map<String, String> instance = new HashMap<>(GCP.attributes());
        instance.remove("bootsecrets-config");
        instance.putAll(instanceAttributes);
        Map<String, String> project = new HashMap<>(GCP.gcp().projectAttributes());
        project.put("bootsecrets-config", PROJECT_SECTION);
        return new Scenario(GCP.instanceId(), GCP.hostname(), GCP.region(), GCP.zone(), GCP.sshKeys(), instance,
                GCP.userData(), GCP.aws(), GCP.faults(), new Scenario.Gcp(GCP.gcp().projectId(), project), GCP.azure());
    }

    @Test
    void gcpProjectSectionIsReadOnlyWhenTheImageOptsIn() throws Exception {
        serve("gcp", withProjectSection(Map.of()));
        Agent.Run run = run("--provider", "gcp");
        assertEquals(0, run.exit(), run.all());
        assertFalse(Files.exists(root.resolve("etc/myapp/project")));
        assertFalse(Files.readString(root.resolve("var/home/core/.ssh/authorized_keys")).contains(TrustBoundaryTest.KEY));
        assertTrue(run.err().contains("<5>gcp: the project's bootsecrets-config attribute is not read"), run.err());

        Agent.writeImageConfig(root, "userData: {gcpProjectConfig: true}\n");
        run = run("--provider", "gcp");
        assertEquals(0, run.exit(), run.all());
        assertEquals("project\n", Files.readString(root.resolve("etc/myapp/project")));
        assertTrue(Files.readString(root.resolve("var/home/core/.ssh/authorized_keys")).contains(TrustBoundaryTest.KEY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"enable-oslogin", "block-project-ssh-keys"})
    void gcpOsLoginAndBlockedProjectKeysKeepTheProjectSectionsKeysOut(String rule) throws Exception {
        Agent.writeImageConfig(root, "userData: {gcpProjectConfig: true}\n");
        serve("gcp", withProjectSection(Map.of(rule, "TRUE")));
        Agent.Run run = run("--provider", "gcp");
        assertEquals(0, run.exit(), run.all());
        assertFalse(Files.readString(root.resolve("var/home/core/.ssh/authorized_keys")).contains(TrustBoundaryTest.KEY));
        assertEquals("project\n", Files.readString(root.resolve("etc/myapp/project")), "the rest of the section counts");
        assertTrue(run.err().contains("<5>user-data: bootsecrets-config: its SSH keys are not installed"), run.err());
    }

    @Test
    void gcpOsLoginKeepsTheInstanceSectionsKeysOut() throws Exception {
        Map<String, String> attributes = new HashMap<>(GCP.attributes());
        attributes.put("bootsecrets-config", PROJECT_SECTION);
        attributes.put("enable-oslogin", "true");
        serve("gcp", new Scenario(GCP.instanceId(), GCP.hostname(), GCP.region(), GCP.zone(), GCP.sshKeys(), attributes,
                GCP.userData(), GCP.aws(), GCP.faults(), GCP.gcp(), GCP.azure()));
        Agent.Run run = run("--provider", "gcp");
        assertEquals(0, run.exit(), run.all());
        assertFalse(Files.readString(root.resolve("var/home/core/.ssh/authorized_keys")).contains(TrustBoundaryTest.KEY));
        assertTrue(run.err().contains("its SSH keys are not installed: OS Login is enabled (enable-oslogin)"), run.err());
    }

    @Test
    void gcpKeysOfAUserTheMachineLacksAreSkippedNotFatal() throws Exception {
        List<Scenario.SshKey> keys = new ArrayList<>(GCP.sshKeys());
        keys.add(new Scenario.SshKey("stranger", key(GCP, "ops").replace("gcp-ops", "stranger"), "stranger", "", true));
        serve("gcp", new Scenario(GCP.instanceId(), GCP.hostname(), GCP.region(), GCP.zone(), keys, GCP.attributes(),
                GCP.userData(), GCP.aws(), GCP.faults(), GCP.gcp(), GCP.azure()));
        Agent.Run run = run("--provider", "gcp");
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("SSH keys for stranger skipped"), run.err());
        assertFalse(Files.exists(root.resolve("var/home/stranger")));
    }

    // ---- Azure

    @Test
    void azureMspInEnforceModeIsNamedNotAnOutage() throws Exception {
        Scenario.Azure a = AZURE.azure();
        serve("azure", AZURE.withAzure(new Scenario.Azure(a.adminUsername(), a.subscriptionId(), a.resourceGroup(),
                a.managedIdentity(), true)));
        Agent.Run run = run("--provider", "azure");
        assertEquals(ExitCode.INVALID, run.exit(), run.all());
        assertTrue(run.err().contains("HTTP 403 from Azure's Metadata Security Protocol in enforce mode: this process is not"
                + " on the VM's allow-list for IMDS"), run.err());
        assertFalse(run.err().contains("unreachable"), run.err());
        assertFalse(Files.exists(root.resolve("var/home/core/.ssh/authorized_keys")));
    }

    @Test
    void azureKeysGoToThePathsUsersAndReadyIsReportedOnceAcrossTwoRuns() throws Exception {
        serve("azure", AZURE);
        Agent.Run first = run("--provider", "azure");
        assertEquals(0, first.exit(), first.all());

        Path core = root.resolve("var/home/core/.ssh/authorized_keys");
        assertTrue(Files.readString(core).contains(key(AZURE, "ops")), "no user: the admin user's");
        assertEquals("1000:1000", owner(core));
        assertEquals("rw-------", mode(core));
        Path deploy = root.resolve("var/home/deploy/.ssh/authorized_keys");
        assertTrue(Files.readString(deploy).contains(key(AZURE, "deploy")));
        assertFalse(Files.readString(deploy).contains(key(AZURE, "ops")));
        assertEquals("1001:1001", owner(deploy));
        assertEquals("demo-registry-token-0001", Files.readString(root.resolve("etc/myapp/api.token")), "a tag");
        assertEquals(AZURE.instanceId() + "\n", Files.readString(root.resolve("var/lib/bootsecrets/azure-ready")));

        Agent.Run second = run("--provider", "azure");
        assertEquals(0, second.exit(), second.all());
        assertEquals(1, healthReports(), "ready is reported once per instance");
        assertEquals(1, cloud.emulator().log().requests().stream().filter(e -> e.path().equals("/machine/")).count());
    }

    @Test
    void azureLeavesTheReadyReportToAnAgentTheImageHas() throws Exception {
        Files.createDirectories(root.resolve("usr/sbin"));
        Files.writeString(root.resolve("usr/sbin/waagent"), "#!/usr/bin/python3\n");
        serve("azure", AZURE);
        Agent.Run run = run("--provider", "azure");
        assertEquals(0, run.exit(), run.all());
        assertEquals(0, healthReports());
        assertFalse(Files.exists(root.resolve("var/lib/bootsecrets/azure-ready")));
    }

    @Test
    void azureReadyReportCanBeTurnedOff() throws Exception {
        Agent.writeConfig(root, "metadata: {azure: {readyReport: false}}\n");
        serve("azure", AZURE);
        assertEquals(0, run("--provider", "azure").exit());
        assertEquals(0, healthReports());
    }

    @Test
    void azureCustomDataIsUsedWhenUserDataIsEmpty() throws Exception {
        String customData = "#cloud-config\nwrite_files:\n  - {path: /etc/from-custom-data, content: \"ovf\\n\"}\n";
        Path media = root.resolve("run/media/azure");
        Files.createDirectories(media);
        Files.writeString(media.resolve("ovf-env.xml"), """
                <?xml version="1.0" encoding="utf-8"?>
                <ns0:Environment xmlns:ns0="http://schemas.dmtf.org/ovf/environment/1" xmlns:ns1="http://schemas.microsoft.com/windowsazure">
                  <ns1:ProvisioningSection>
                    <ns1:Version>1.0</ns1:Version>
                    <ns1:LinuxProvisioningConfigurationSet>
                      <ns1:ConfigurationSetType>LinuxProvisioningConfiguration</ns1:ConfigurationSetType>
                      <ns1:UserName>core</ns1:UserName>
                      <ns1:CustomData>%s</ns1:CustomData>
                    </ns1:LinuxProvisioningConfigurationSet>
                  </ns1:ProvisioningSection>
                </ns0:Environment>
                """.formatted(Base64.getEncoder().encodeToString(customData.getBytes(StandardCharsets.UTF_8))));
        Agent.writeConfig(root, "metadata: {azure: {ovfEnv: /run/media/azure/ovf-env.xml}}\n");
        serve("azure", new Scenario(AZURE.instanceId(), AZURE.hostname(), AZURE.region(), AZURE.zone(),
                AZURE.sshKeys(), AZURE.attributes(), Optional.empty(), AZURE.aws(), AZURE.faults(), AZURE.gcp(),
                AZURE.azure()));

        Agent.Run run = run("--provider", "azure");
        assertEquals(0, run.exit(), run.all());
        assertEquals("ovf\n", Files.readString(root.resolve("etc/from-custom-data")));
    }

    // ---- NoCloud

    @Test
    void aNoCloudSeedIsFoundWithoutAnyCloudAndItsKeysGoToTheDefaultUser() throws Exception {
        seed("var/lib/bootsecrets/seed");
        Agent.Run run = Agent.main("run", "--root", root.toString(), "--verbose", "--dmi-dir", dmi().toString(),
                "--cmdline", root.resolve("proc/cmdline").toString());
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("using the NoCloud seed"), run.err());

        Path core = root.resolve("var/home/core/.ssh/authorized_keys");
        assertTrue(Files.readString(core).contains("nc-ops@example"), "meta-data public-keys");
        assertTrue(Files.readString(core).contains("alice@laptop"), "user-data ssh_authorized_keys");
        assertEquals("1000:1000", owner(core));
        assertEquals("rw-------", mode(core));
        assertTrue(Files.readString(root.resolve("etc/motd")).contains("NoCloud seed"));
        String status = Files.readString(root.resolve("run/bootsecrets/status.json"));
        assertTrue(status.contains("\"provider\" : \"nocloud\""), status);
    }

    @Test
    void theKernelCommandLineNamesASeedTheWayCloudInitDoes() throws Exception {
        seed("srv/seed");
        cmdline("BOOT_IMAGE=/vmlinuz root=UUID=1234 ro \"ds=nocloud;s=file:///srv/seed/\" quiet");
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        assertTrue(Files.readString(root.resolve("var/home/core/.ssh/authorized_keys")).contains("nc-ops@example"));
    }

    @Test
    void aMissingSeedWhenNoCloudIsForcedWritesNothing() throws Exception {
        Agent.Run run = run("--provider", "nocloud");
        assertEquals(ExitCode.UNREACHABLE, run.exit(), run.all());
        assertTrue(run.err().contains("/var/lib/bootsecrets/seed/meta-data"), run.err());
        assertFalse(Files.exists(root.resolve("var/home/core/.ssh")));
    }

    // ---- identify

    @Test
    void azureIsDetectedFromItsAssetTag() throws Exception {
        dmi("chassis_asset_tag", "7783-7084-3265-9085-8269-3286-77");
        dmi("sys_vendor", "Microsoft Corporation");
        serve("azure", AZURE);
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("detected provider azure from DMI"), run.err());
        assertTrue(Files.readString(root.resolve("var/home/core/.ssh/authorized_keys")).contains(key(AZURE, "ops")));
    }

    @Test
    void theKernelCommandLineOverridesTheConfigAndTheFlagOverridesBoth() throws Exception {
        Agent.writeConfig(root, "provider: aws\n");
        cmdline("root=/dev/vda1 bootsecrets.provider=gcp\n");
        serve("gcp", GCP);
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("provider gcp (from the kernel command line)"), run.err());
        assertTrue(Files.exists(root.resolve("etc/myapp/cloud")));

        cloud.emulator().log().clear();
        Agent.Run forced = run("--provider", "none");
        assertEquals(0, forced.exit(), forced.all());
        assertEquals(0, cloud.emulator().log().count());
    }

    @Test
    void anUnknownProviderOnTheKernelCommandLineIsInvalidAndWritesNothing() throws Exception {
        cmdline("bootsecrets.provider=openstack");
        Agent.Run run = run();
        assertEquals(ExitCode.INVALID, run.exit(), run.all());
        assertTrue(run.err().contains("the kernel command line: provider \"openstack\" is not one this agent knows"),
                run.err());
        assertFalse(Files.exists(root.resolve("var/home/core/.ssh")));
    }

    @Test
    void noCloudDetectedAppliesLocalConfigOnly() throws Exception {
        Agent.writeConfig(root, "files:\n  /etc/local: {content: \"local\\n\"}\n");
        dmi("sys_vendor", "QEMU");
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.err().contains("no cloud detected"), run.err());
        assertEquals("local\n", Files.readString(root.resolve("etc/local")));
        assertFalse(Files.exists(root.resolve("var/home/core/.ssh")));
    }

    // ---- faults

    @ParameterizedTest
    @ValueSource(strings = {"gcp", "azure"})
    void failingAndDroppingRequestsAreRetried(String provider) throws Exception {
        serve(provider, Scenario.sample(provider));
        cloud.emulator().faults().dropNext(2);
        cloud.emulator().faults().failNext(3);
        Agent.Run run = run("--provider", provider);
        assertEquals(0, run.exit(), run.all());
        assertTrue(Files.readString(root.resolve("var/home/core/.ssh/authorized_keys")).contains("ops@example"));
        assertTrue(cloud.emulator().log().requests().stream().anyMatch(e -> e.status() == RequestLog.DROPPED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gcp", "azure"})
    void aServiceSlowerThanTheDeadlineWritesNothing(String provider) throws Exception {
        Agent.writeConfig(root, "metadata: {deadline: 2s}\n");
        serve(provider, Scenario.sample(provider));
        cloud.emulator().faults().delay(Duration.ofSeconds(30));
        List<String> before = Agent.files(root);
        Agent.Run run = run("--provider", provider);
        assertEquals(ExitCode.UNREACHABLE, run.exit(), run.all());
        assertTrue(run.err().contains("no answer before the deadline"), run.err());
        List<String> after = new ArrayList<>(Agent.files(root));
        after.removeAll(before);
        assertEquals(List.of("/run/bootsecrets/lock", "/run/bootsecrets/status.json"), after);
    }

    // ---- helpers

    private Agent.Run run(String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--root", root.toString(), "--verbose",
                "--dmi-dir", dmi().toString(), "--cmdline", root.resolve("proc/cmdline").toString()));
        if (cloud.emulator() != null) {
            args.addAll(List.of("--metadata-url", cloud.emulator().url().toString()));
        }
        args.addAll(List.of(extra));
        return Agent.main(args.toArray(String[]::new));
    }

    private void serve(String provider, Scenario scenario) throws IOException {
        cloud.start(provider, scenario);
    }

    private long healthReports() {
        return cloud.emulator().log().requests().stream()
                .filter(e -> e.method().equals("POST") && e.path().equals("/machine") && e.status() == 200)
                .count();
    }

    private Path dmi() {
        return root.resolve("sys/class/dmi/id");
    }

    private void dmi(String name, String value) throws IOException {
        Files.createDirectories(dmi());
        Files.writeString(dmi().resolve(name), value + "\n");
    }

    private void cmdline(String text) throws IOException {
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/cmdline"), text);
    }

    private void seed(String at) throws IOException {
        Path seed = root.resolve(at);
        Files.createDirectories(seed);
        Files.write(seed.resolve("meta-data"), Scenario.sampleFile("nocloud", "meta-data"));
        Files.write(seed.resolve("user-data"), Scenario.sampleFile("nocloud", "user-data"));
    }

    private static String key(Scenario scenario, String name) {
        return scenario.sshKeys().stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow().publicKey();
    }

    private static Scenario withAttribute(Scenario s, String name, String value) {
        Map<String, String> attributes = new HashMap<>(s.attributes());
        attributes.put(name, value);
        return new Scenario(s.instanceId(), s.hostname(), s.region(), s.zone(), s.sshKeys(), attributes, s.userData(),
                s.aws(), s.faults(), s.gcp(), s.azure());
    }
}
