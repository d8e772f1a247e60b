package dev.bootsecrets.emulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** Turns a scenario directory's files into a {@link Scenario}, naming the file and field of any mistake. */
final class ScenarioReader {
    static final String INSTANCE_YAML = "instance.yaml";
    static final String INSTANCE_JSON = "instance.json";
    static final String USER_DATA = "user-data";
    static final String FAULTS_YAML = "faults.yaml";
    private static final long MAX_FILE = 64L << 20;

    private static final Set<String> INSTANCE_KEYS =
            Set.of("instance-id", "hostname", "region", "zone", "ssh-keys", "attributes", "aws", "gcp", "azure", "secrets");
    private static final Set<String> SECRETS_KEYS =
            Set.of("aws-secretsmanager", "aws-ssm", "gcp-secretmanager", "azure-keyvault", "denied");
    private static final Set<String> AWS_KEYS = Set.of("imdsv1", "imdsv2", "role", "credential-seconds");
    private static final Set<String> GCP_KEYS = Set.of("project-id", "project-attributes");
    private static final Set<String> AZURE_KEYS = Set.of("admin-username", "subscription-id", "resource-group", "managed-identity", "msp-enforce");
    private static final Set<String> SSH_KEY_KEYS = Set.of("name", "key", "user", "expire-on", "project");
    private static final Set<String> FAULT_KEYS = Set.of("delay-ms", "fail", "drop");

    private ScenarioReader() {}

    static Scenario read(Path dir) throws IOException {
        Path instance = dir.resolve(INSTANCE_YAML);
        if (!Files.exists(instance)) {
            instance = dir.resolve(INSTANCE_JSON);
        }
        if (!Files.exists(instance)) {
            throw new IOException(dir + ": no " + INSTANCE_YAML + " or " + INSTANCE_JSON);
        }
        return parse(dir.toString(), readFile(instance).orElseThrow(),
                readFile(dir.resolve(USER_DATA)), readFile(dir.resolve(FAULTS_YAML)));
    }

    static Scenario parse(String source, byte[] instance, Optional<byte[]> userData, Optional<byte[]> faults)
            throws IOException {
        Map<String, Object> root = yamlMap(source + "/instance", instance);
        String at = source + "/instance: ";
        check(root, INSTANCE_KEYS, at);
        Map<String, Object> aws = map(root.get("aws"), at + "aws");
        check(aws, AWS_KEYS, at + "aws.");
        var awsOptions = new Scenario.Aws(bool(aws, "imdsv1", false, at + "aws."), bool(aws, "imdsv2", true, at + "aws."),
                aws.get("role") instanceof String role ? role : optionalString(aws, "role", Scenario.Aws.ROLE, at + "aws."),
                aws.containsKey("credential-seconds") ? count(aws, "credential-seconds", at + "aws.") : 21600);
        if (!awsOptions.imdsv1() && !awsOptions.imdsv2()) {
            throw new IOException(at + "aws: imdsv1 and imdsv2 are both off, nothing could be read");
        }
        Map<String, Object> gcp = map(root.get("gcp"), at + "gcp");
        check(gcp, GCP_KEYS, at + "gcp.");
        var gcpOptions = new Scenario.Gcp(
                optionalString(gcp, "project-id", Scenario.Gcp.DEFAULT.projectId(), at + "gcp."),
                attributes(gcp.get("project-attributes"), at + "gcp.project-attributes"));
        Map<String, Object> azure = map(root.get("azure"), at + "azure");
        check(azure, AZURE_KEYS, at + "azure.");
        var azureOptions = new Scenario.Azure(
                optionalString(azure, "admin-username", Scenario.Azure.DEFAULT.adminUsername(), at + "azure."),
                optionalString(azure, "subscription-id", Scenario.Azure.DEFAULT.subscriptionId(), at + "azure."),
                optionalString(azure, "resource-group", Scenario.Azure.DEFAULT.resourceGroup(), at + "azure."),
                bool(azure, "managed-identity", Scenario.Azure.DEFAULT.managedIdentity(), at + "azure."),
                bool(azure, "msp-enforce", false, at + "azure."));
        return new Scenario(
                string(root, "instance-id", at),
                string(root, "hostname", at),
                string(root, "region", at),
                string(root, "zone", at),
                sshKeys(root.get("ssh-keys"), at + "ssh-keys"),
                attributes(root.get("attributes"), at + "attributes"),
                userData,
                awsOptions,
                faults.isEmpty() ? Scenario.FaultDefaults.NONE : faults(source + "/" + FAULTS_YAML, faults.get()),
                gcpOptions,
                azureOptions,
                secrets(root.get("secrets"), at + "secrets"));
    }

    private static Scenario.Secrets secrets(Object value, String at) throws IOException {
        Map<String, Object> secrets = map(value, at);
        check(secrets, SECRETS_KEYS, at + ".");
        List<String> denied = new ArrayList<>();
        Object deniedValue = secrets.get("denied");
        if (deniedValue != null) {
            if (!(deniedValue instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
                throw new IOException(at + ".denied: not a list of strings");
            }
            list.forEach(item -> denied.add((String) item));
        }
        return new Scenario.Secrets(versions(secrets.get("aws-secretsmanager"), at + ".aws-secretsmanager"),
                attributes(secrets.get("aws-ssm"), at + ".aws-ssm"),
                versions(secrets.get("gcp-secretmanager"), at + ".gcp-secretmanager"),
                versions(secrets.get("azure-keyvault"), at + ".azure-keyvault"), denied);
    }

    /** NAME: a string (one version) or a list of strings (versions, oldest first). */
    private static Map<String, List<String>> versions(Object value, String at) throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (var entry : map(value, at).entrySet()) {
            String item = at + "." + entry.getKey();
            if (entry.getValue() instanceof String text) {
                out.put(entry.getKey(), List.of(text));
            } else if (entry.getValue() instanceof List<?> list && !list.isEmpty()
                    && list.stream().allMatch(String.class::isInstance)) {
                out.put(entry.getKey(), list.stream().map(String.class::cast).toList());
            } else {
                throw new IOException(item + ": not a string or a list of strings (quote numbers)");
            }
        }
        return out;
    }

    private static Scenario.FaultDefaults faults(String source, byte[] text) throws IOException {
        Map<String, Object> root = yamlMap(source, text);
        String at = source + ": ";
        check(root, FAULT_KEYS, at);
        return new Scenario.FaultDefaults(
                Duration.ofMillis(count(root, "delay-ms", at)), count(root, "fail", at), count(root, "drop", at));
    }

    private static List<Scenario.SshKey> sshKeys(Object value, String at) throws IOException {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new IOException(at + ": not a list");
        }
        List<Scenario.SshKey> keys = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String item = at + "[" + i + "]";
            Map<String, Object> entry = map(list.get(i), item);
            check(entry, SSH_KEY_KEYS, item + ".");
            keys.add(new Scenario.SshKey(string(entry, "name", item + "."), string(entry, "key", item + "."),
                    optionalString(entry, "user", "", item + "."), optionalString(entry, "expire-on", "", item + "."),
                    bool(entry, "project", false, item + ".")));
        }
        return keys;
    }

    private static Map<String, String> attributes(Object value, String at) throws IOException {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (var entry : map(value, at).entrySet()) {
            if (!(entry.getValue() instanceof String text)) {
                throw new IOException(at + "." + entry.getKey() + ": not a string (quote it)");
            }
            attributes.put(entry.getKey(), text);
        }
        return attributes;
    }

    private static Map<String, Object> yamlMap(String source, byte[] text) throws IOException {
        var options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setNestingDepthLimit(20);
        options.setCodePointLimit((int) Math.min(Integer.MAX_VALUE, MAX_FILE));
        try {
            return map(new Yaml(new SafeConstructor(options)).load(new String(text, StandardCharsets.UTF_8)), source);
        } catch (YAMLException e) {
            throw new IOException(source + ": not valid YAML", e);
        }
    }

    /** A mapping with string keys; null (an absent or empty section) is an empty one. */
    private static Map<String, Object> map(Object value, String at) throws IOException {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> raw)) {
            throw new IOException(at + ": not a mapping");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (var entry : raw.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw new IOException(at + ": key " + entry.getKey() + " is not a string");
            }
            out.put(key, entry.getValue());
        }
        return out;
    }

    private static void check(Map<String, Object> map, Set<String> known, String at) throws IOException {
        for (String key : map.keySet()) {
            if (!known.contains(key)) {
                throw new IOException(at + key + ": unknown field");
            }
        }
    }

    private static String string(Map<String, Object> map, String key, String at) throws IOException {
        if (!(map.get(key) instanceof String value) || value.isBlank()) {
            throw new IOException(at + key + ": missing or not a string");
        }
        return value;
    }

    private static String optionalString(Map<String, Object> map, String key, String fallback, String at)
            throws IOException {
        return map.containsKey(key) ? string(map, key, at) : fallback;
    }

    private static boolean bool(Map<String, Object> map, String key, boolean fallback, String at) throws IOException {
        Object value = map.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean b)) {
            throw new IOException(at + key + ": not true or false");
        }
        return b;
    }

    private static int count(Map<String, Object> map, String key, String at) throws IOException {
        Object value = map.get(key);
        if (value == null) {
            return 0;
        }
        if (!(value instanceof Integer n) || n < 0) {
            throw new IOException(at + key + ": not a whole number >= 0");
        }
        return n;
    }

    private static Optional<byte[]> readFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        if (Files.size(file) > MAX_FILE) {
            throw new IOException(file + ": larger than " + MAX_FILE + " bytes");
        }
        return Optional.of(Files.readAllBytes(file));
    }
}
