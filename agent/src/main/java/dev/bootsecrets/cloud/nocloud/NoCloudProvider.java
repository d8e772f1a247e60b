package dev.bootsecrets.cloud.nocloud;

import dev.bootsecrets.cloud.GatherRequest;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.MetadataProvider;
import dev.bootsecrets.config.ConfigException;
import dev.bootsecrets.config.Yaml;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A local seed directory laid out like cloud-init's NoCloud: {@code meta-data} (YAML:
 * instance-id, local-hostname, public-keys) and {@code user-data}, so the same user-data can
 * be tried on a laptop VM or bare metal. No network: the files are read under the target root.
 */
public final class NoCloudProvider implements MetadataProvider {
    public static final String NAME = "nocloud";
    public static final String META_DATA = "meta-data";
    static final String USER_DATA = "user-data";
    private static final int MAX_META_DATA = 1 << 20;
    private static final int MAX_USER_DATA = 16 << 20;
    /** The keys of meta-data read here; a duplicate of any other is cloud-init's business. */
    private static final Set<String> KEYS = Set.of("instance-id", "local-hostname", "hostname", "public-keys");

    private final TargetRoot root;
    private final String seed;

    /** @param seed the seed directory, an absolute path inside the target root */
    public NoCloudProvider(TargetRoot root, String seed) {
        this.root = root;
        this.seed = seed;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public InstanceMetadata gather(GatherRequest request) throws MetadataException {
        String metaPath = seed + "/" + META_DATA;
        byte[] meta = read(metaPath, MAX_META_DATA)
                .orElseThrow(() -> new MetadataException(metaPath, "not found (no NoCloud seed there)"));
        Map<?, ?> fields;
        try {
            Object loaded = Yaml.load(new String(meta, StandardCharsets.UTF_8), META_DATA, KEYS::contains);
            if (loaded != null && !(loaded instanceof Map<?, ?>)) {
                throw MetadataException.invalid(metaPath, "not a mapping");
            }
            fields = loaded == null ? Map.of() : (Map<?, ?>) loaded;
        } catch (ConfigException e) {
            throw MetadataException.invalid(metaPath, e.getMessage());
        }
        String hostname = text(fields.get("local-hostname"));
        List<String> keys = publicKeys(fields.get("public-keys"), metaPath);
        if (request.identity()) {
            Log.warn("nocloud: a seed has no signed identity to offer");
        }
        return new InstanceMetadata(
                name(),
                text(fields.get("instance-id")),
                hostname.isEmpty() ? text(fields.get("hostname")) : hostname,
                "",
                "",
                keys.isEmpty() ? Map.of() : Map.of(InstanceMetadata.DEFAULT_USER, keys),
                read(seed + "/" + USER_DATA, MAX_USER_DATA),
                Map.of(),
                Optional.empty());
    }

    @Override
    public Map<String, Secret> attributes(Set<String> names, Deadline deadline) {
        names.forEach(name -> Log.info("nocloud: a seed has no metadata attributes, so not " + name));
        return Map.of();
    }

    /** cloud-init's forms: one string (one key a line), a list, or a mapping of names to either. */
    private static List<String> publicKeys(Object value, String path) throws MetadataException {
        List<String> keys = new ArrayList<>();
        if (value instanceof Map<?, ?> named) {
            for (Object entry : named.values()) {
                keys.addAll(publicKeys(entry, path));
            }
        } else if (value instanceof List<?> list) {
            for (Object entry : list) {
                keys.addAll(publicKeys(entry, path));
            }
        } else if (value instanceof String text) {
            text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(keys::add);
        } else if (value != null) {
            throw MetadataException.invalid(path, "public-keys must be key lines, a list of them or a mapping to them");
        }
        return keys;
    }

    private static String text(Object value) {
        return value instanceof String || value instanceof Number ? String.valueOf(value).strip() : "";
    }

    private Optional<byte[]> read(String path, int maxBytes) throws MetadataException {
        try {
            return root.read(path, maxBytes);
        } catch (IOException e) {
            throw new MetadataException(path, e.getMessage(), e);
        }
    }
}
