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
 * @param attributes instance tags (AWS), metadata attributes (GCP), tags (Azure), by name
 * @param userData   served byte for byte; empty when the instance has none
 * @param aws        options only the AWS emulation reads
 * @param faults     the faults the emulator starts with
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
        FaultDefaults faults) {

    public Scenario {
        sshKeys = List.copyOf(sshKeys);
        attributes = Map.copyOf(attributes);
    }

    /** @param name the key's name: the key pair on AWS */
    public record SshKey(String name, String publicKey) {}

    /**
     * @param imdsv1 answer GETs that carry no token
     * @param imdsv2 offer the token API; without it the token PUT answers 404, as an
     *               IMDSv1-only service would
     */
    public record Aws(boolean imdsv1, boolean imdsv2) {
        public static final Aws DEFAULT = new Aws(false, true);
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

    private static Optional<byte[]> resource(String name) throws IOException {
        try (InputStream in = Scenario.class.getResourceAsStream(name)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        }
    }
}
