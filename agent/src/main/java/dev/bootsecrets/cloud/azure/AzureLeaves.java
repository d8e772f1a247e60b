package dev.bootsecrets.cloud.azure;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.MetadataKeys;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The part of IMDS's instance document the agent reads, leaf by leaf, for systemd-imdsd, which
 * serves Azure only as text leaves ({@code format=text}): vmId, names, placement, the admin user,
 * userData, tags (the "k:v;k:v" form) and each public key's data and path, until a key is not found.
 */
final class AzureLeaves {
    static final String COMPUTE = "/instance/compute/";
    /** More keys than an Azure VM can have; the walk stops at the first absent index before. */
    private static final int MAX_KEYS = 100;
    private static final int MAX_LEAF = AzureImds.MAX_ANSWER;

    private AzureLeaves() {}

    /** {@code {"compute": {...}}}, as the instance answer has it, from the leaves there are. */
    static ObjectNode instance(MetadataKeys keys) throws MetadataException {
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        ObjectNode compute = answer.putObject("compute");
        for (String name : new String[] {"vmId", "name", "location", "zone", "userData", "tags"}) {
            put(compute, name, keys, COMPUTE + name);
        }
        ObjectNode os = compute.putObject("osProfile");
        put(os, "computerName", keys, COMPUTE + "osProfile/computerName");
        put(os, "adminUsername", keys, COMPUTE + "osProfile/adminUsername");
        var publicKeys = compute.putArray("publicKeys");
        for (int i = 0; i < MAX_KEYS; i++) {
            Optional<String> data = text(keys, COMPUTE + "publicKeys/" + i + "/keyData");
            if (data.isEmpty()) {
                break;
            }
            publicKeys.addObject().put("keyData", data.get())
                    .put("path", text(keys, COMPUTE + "publicKeys/" + i + "/path").orElse(""));
        }
        return answer;
    }

    private static void put(ObjectNode node, String name, MetadataKeys keys, String key) throws MetadataException {
        text(keys, key).ifPresent(value -> node.put(name, value));
    }

    private static Optional<String> text(MetadataKeys keys, String key) throws MetadataException {
        return keys.get(key, MAX_LEAF).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }
}
