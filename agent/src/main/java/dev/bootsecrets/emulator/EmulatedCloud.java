package dev.bootsecrets.emulator;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * What the emulator has of each cloud, the one place it is looked up by name: the metadata API,
 * systemd-imdsd's view of it (as systemd's hwdb describes the cloud) and the secret the built-in
 * sample's secrets manager holds. Kept apart from the agent's own descriptors (cloud/Cloud) on
 * purpose: a mock that read the agent's constants could not catch a wrong one.
 *
 * @param sampleSecret the {@code from:} of the secret {@code bootsecrets demo} reads from the
 *                     sample's secrets manager
 */
record EmulatedCloud(String name, BiFunction<Scenario, Faults, MetadataApi> api, ImdsdServer.Vendor imdsd,
        String sampleSecret) {

    static final List<EmulatedCloud> ALL = List.of(
            new EmulatedCloud("aws", AwsApi::new,
                    new ImdsdServer.Vendor("amazon-ec2", "/latest", "", Map.of(), true, "169.254.169.254", "fd00:ec2::254",
                            Map.of("hostname", "/meta-data/hostname", "region", "/meta-data/placement/region",
                                    "zone", "/meta-data/placement/availability-zone",
                                    "ssh_key", "/meta-data/public-keys/0/openssh-key", "userdata", "/user-data")),
                    "aws-secretsmanager:demo/db#password"),
            new EmulatedCloud("gcp", (scenario, faults) -> new GcpApi(scenario),
                    new ImdsdServer.Vendor("google-gcp", "/computeMetadata/v1", "", Map.of("metadata-flavor", "Google"), false,
                            "169.254.169.254", "", Map.of("hostname", "/instance/hostname", "zone", "/instance/zone",
                                    "userdata_base", "/instance/attributes")),
                    "gcp-secretmanager:secrets/demo-api-key"),
            new EmulatedCloud("azure", (scenario, faults) -> new AzureApi(scenario),
                    new ImdsdServer.Vendor("microsoft-azure", "/metadata", "api-version=2025-04-07&format=text",
                            Map.of("metadata", "true"), false, "169.254.169.254", "",
                            Map.of("hostname", "/instance/compute/osProfile/computerName", "region", "/instance/compute/location",
                                    "ssh_key", "/instance/compute/publicKeys/0/keyData")),
                    "azure-keyvault:demo-vault/demo-api-key"));

    /**
     * @throws IllegalArgumentException for a cloud the emulator does not have
     */
    static EmulatedCloud named(String name) {
        Optional<EmulatedCloud> found = ALL.stream().filter(c -> c.name.equals(name)).findFirst();
        return found.orElseThrow(() -> new IllegalArgumentException("no emulator for provider " + name + " (known: "
                + String.join(", ", ALL.stream().map(EmulatedCloud::name).toList()) + ")"));
    }
}
