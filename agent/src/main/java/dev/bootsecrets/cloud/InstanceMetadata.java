package dev.bootsecrets.cloud;

import dev.bootsecrets.secret.Secret;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one cloud told us about this instance, in a form that does not say which cloud.
 *
 * @param provider   the provider's name (aws, gcp, azure, nocloud, none)
 * @param sshKeys    public keys by user; the key {@link #DEFAULT_USER} means "the configured
 *                   default user" (AWS and GCP keys without a user name)
 * @param userData   raw user-data as served (maybe gzip or MIME), empty if there is none.
 *                   It may hold inline secrets, so it is never logged; it is not a
 *                   {@link Secret} because the parsed values are, once declared as secrets
 * @param attributes metadata attributes (GCP) or instance tags (AWS, Azure), by name
 * @param identity   the signed instance identity document, when the run asked for it
 * @param section    a bootsecrets section the cloud holds apart from user-data (GCP's
 *                   {@code bootsecrets-config} attribute), read after user-data; never logged
 */
public record InstanceMetadata(
        String provider,
        String instanceId,
        String hostname,
        String region,
        String zone,
        Map<String, List<String>> sshKeys,
        Optional<byte[]> userData,
        Map<String, Secret> attributes,
        Optional<Secret> identity,
        Optional<Section> section) {

    public static final String DEFAULT_USER = "";

    /**
     * A bootsecrets section held apart from user-data.
     *
     * @param sshRefusal why the cloud's own rules keep the section's SSH keys out (GCP's OS Login,
     *                   or blocked project keys for a project-level section), as they keep its
     *                   other SSH keys out; empty when they may be installed
     */
    public record Section(byte[] text, Optional<String> sshRefusal) {}

    public InstanceMetadata {
        sshKeys = Map.copyOf(sshKeys);
        attributes = Map.copyOf(attributes);
    }

    /** Metadata without a section apart from user-data (every cloud but GCP). */
    public InstanceMetadata(
            String provider, String instanceId, String hostname, String region, String zone,
            Map<String, List<String>> sshKeys, Optional<byte[]> userData, Map<String, Secret> attributes,
            Optional<Secret> identity) {
        this(provider, instanceId, hostname, region, zone, sshKeys, userData, attributes, identity, Optional.empty());
    }

    /** The same metadata with {@code more} attributes added. */
    public InstanceMetadata withAttributes(Map<String, Secret> more) {
        Map<String, Secret> all = new java.util.HashMap<>(attributes);
        all.putAll(more);
        return new InstanceMetadata(provider, instanceId, hostname, region, zone, sshKeys, userData, all, identity, section);
    }

    /** No cloud: nothing from metadata, local config still applies. */
    public static InstanceMetadata none() {
        return new InstanceMetadata("none", "", "", "", "", Map.of(), Optional.empty(), Map.of(), Optional.empty());
    }
}
