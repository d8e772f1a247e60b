package dev.bootsecrets.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an emulated instance looks like, in terms every cloud shares; docs/emulator.md
 * describes the directory it is read from.
 *
 * @param attributes instance tags (AWS), instance metadata attributes (GCP), tags (Azure), by name
 * @param userData   served byte for byte; empty when the instance has none
 * @param aws        options only the AWS emulation reads
 * @param faults     the faults the emulator starts with
 * @param gcp        the project, which only the GCP emulation has
 * @param azure      options only the Azure emulation reads
 * @param secrets    what the clouds' secrets managers hold
 */
public record Scenario(
        String instanceId,
        String hostname,
        String region,
        String zone,
        List<SshKey> sshKeys,
        Map<String, String> attributes,
        Optional<byte[]> userData,
        Aws aws,
        FaultDefaults faults,
        Gcp gcp,
        Azure azure,
        Secrets secrets) {

    public Scenario {
        sshKeys = List.copyOf(sshKeys);
        attributes = Map.copyOf(attributes);
    }

    /** A scenario whose secrets managers hold nothing. */
    public Scenario(String instanceId, String hostname, String region, String zone, List<SshKey> sshKeys,
            Map<String, String> attributes, Optional<byte[]> userData, Aws aws, FaultDefaults faults, Gcp gcp, Azure azure) {
        this(instanceId, hostname, region, zone, sshKeys, attributes, userData, aws, faults, gcp, azure, Secrets.NONE);
    }

    /** The same instance with other AWS options. */
    public Scenario withAws(Aws value) {
        return new Scenario(instanceId, hostname, region, zone, sshKeys, attributes, userData, value, faults, gcp, azure, secrets);
    }

    /** The same instance with other Azure options. */
    public Scenario withAzure(Azure value) {
        return new Scenario(instanceId, hostname, region, zone, sshKeys, attributes, userData, aws, faults, gcp, value, secrets);
    }

    /** The same instance with other secrets. */
    public Scenario withSecrets(Secrets value) {
        return new Scenario(instanceId, hostname, region, zone, sshKeys, attributes, userData, aws, faults, gcp, azure, value);
    }

    /**
     * The secrets managers' contents, each by the reference its source kind uses, versions oldest
     * first (the last is AWSCURRENT, GCP's latest, Key Vault's current; AWS's one before it AWSPREVIOUS).
     *
     * @param awsSecretsManager by secret name; a version is its SecretString, or SecretBinary when
     *                          it starts with "base64:"
     * @param awsSsm            SecureString parameters by name
     * @param gcpSecretManager  by secret name (in the scenario's project)
     * @param azureKeyVault     by VAULT/NAME
     * @param denied            references (as the keys above) the instance's identity may not read
     */
    public record Secrets(Map<String, List<String>> awsSecretsManager, Map<String, String> awsSsm,
            Map<String, List<String>> gcpSecretManager, Map<String, List<String>> azureKeyVault, List<String> denied) {
        public static final Secrets NONE = new Secrets(Map.of(), Map.of(), Map.of(), Map.of(), List.of());

        public Secrets {
            awsSecretsManager = Map.copyOf(awsSecretsManager);
            awsSsm = Map.copyOf(awsSsm);
            gcpSecretManager = Map.copyOf(gcpSecretManager);
            azureKeyVault = Map.copyOf(azureKeyVault);
            denied = List.copyOf(denied);
        }
    }

    /** A scenario with the GCP and Azure options left at their defaults. */
    public Scenario(String instanceId, String hostname, String region, String zone, List<SshKey> sshKeys,
            Map<String, String> attributes, Optional<byte[]> userData, Aws aws, FaultDefaults faults) {
        this(instanceId, hostname, region, zone, sshKeys, attributes, userData, aws, faults, Gcp.DEFAULT, Azure.DEFAULT);
    }

    /**
     * @param name     the key's name: the key pair on AWS, the user on GCP when {@code user} is empty
     * @param user     whose key it is ("" for none): GCP's {@code user:} prefix, Azure's
     *                 /home/USER/.ssh/authorized_keys path; AWS has no users
     * @param expireOn GCP's google-ssh expireOn ("" for a key that does not expire)
     * @param project  GCP: a project-wide key rather than the instance's
     */
    public record SshKey(String name, String publicKey, String user, String expireOn, boolean project) {

        /** A key of no particular user that does not expire. */
        public SshKey(String name, String publicKey) {
            this(name, publicKey, "", "", false);
        }
    }

    /**
     * @param imdsv1            answer GETs that carry no token
     * @param imdsv2            offer the token API; without it the token PUT answers 404, as an
     *                          IMDSv1-only service would
     * @param role              the instance profile's role, whose credentials IMDS hands out
     *                          under iam/security-credentials/; "" for none
     * @param credentialSeconds how long those credentials last (0: already expired)
     */
    public record Aws(boolean imdsv1, boolean imdsv2, String role, int credentialSeconds) {
        public static final String ROLE = "bootsecrets-demo";
        public static final Aws DEFAULT = new Aws(false, true);

        /** With the default role and six-hour credentials. */
        public Aws(boolean imdsv1, boolean imdsv2) {
            this(imdsv1, imdsv2, ROLE, 21600);
        }
    }

    /**
     * @param projectId         the project's name
     * @param projectAttributes the project's metadata attributes (the instance's are {@code attributes})
     */
    public record Gcp(String projectId, Map<String, String> projectAttributes) {
        public static final Gcp DEFAULT = new Gcp("demo-project", Map.of());

        public Gcp {
            projectAttributes = Map.copyOf(projectAttributes);
        }
    }

    /**
     * @param adminUsername   osProfile.adminUsername, whose keys are those without a user
     * @param subscriptionId  the VM's subscription, named by its resource id
     * @param resourceGroup   the VM's resource group, named by its resource id
     * @param managedIdentity a system-assigned managed identity is assigned: without one the
     *                        identity token endpoint answers 400 "Identity not found"
     * @param mspEnforce      the Metadata Security Protocol in enforce mode, with the agent not on the
     *                        VM's allow-list: IMDS and the wireserver answer as the Guest Proxy
     *                        Agent does then (403, empty body)
     */
    public record Azure(String adminUsername, String subscriptionId, String resourceGroup, boolean managedIdentity,
            boolean mspEnforce) {
        public static final Azure DEFAULT = new Azure("azureuser", "00000000-0000-0000-0000-000000000000", "demo-rg", true);

        /** Without MSP. */
        public Azure(String adminUsername, String subscriptionId, String resourceGroup, boolean managedIdentity) {
            this(adminUsername, subscriptionId, resourceGroup, managedIdentity, false);
        }
    }

    /**
     * @param delay added before every response
     * @param fail  the first this many requests answer 503
     * @param drop  the first this many requests get their connection closed, no response
     */
    public record FaultDefaults(Duration delay, int fail, int drop) {
        public static final FaultDefaults NONE = new FaultDefaults(Duration.ZERO, 0, 0);
    }

    /** Reads a scenario directory: instance.yaml (or .json), optional user-data and faults.yaml. */
    public static Scenario load(Path dir) throws IOException {
        return ScenarioReader.read(dir);
    }

    /** The built-in scenario for {@code provider}, used by {@code bootsecrets demo}. */
    public static Scenario sample(String provider) {
        String base = "sample/" + provider + "/";
        try {
            byte[] instance = resource(base + ScenarioReader.INSTANCE_YAML)
                    .orElseThrow(() -> new IllegalArgumentException("no built-in scenario for provider " + provider));
            return ScenarioReader.parse("sample " + provider, instance,
                    resource(base + ScenarioReader.USER_DATA), resource(base + ScenarioReader.FAULTS_YAML));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A file of the built-in sample for {@code provider}, such as the NoCloud sample's
     * {@code meta-data} and {@code user-data}, which are a seed rather than a scenario.
     */
    public static byte[] sampleFile(String provider, String name) {
        try {
            return resource("sample/" + provider + "/" + name).orElseThrow(
                    () -> new IllegalArgumentException("no built-in " + name + " for provider " + provider));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<byte[]> resource(String name) throws IOException {
        try (InputStream in = Scenario.class.getResourceAsStream(name)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        }
    }
}
