package dev.bootsecrets.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How the agent runs, as opposed to what it writes ({@link Declarations}). Only the image's
 * and the machine's config and the command line set these; user-data cannot.
 *
 * @param provider     auto, aws, gcp, azure, nocloud or none
 * @param metadataUrl  another endpoint for the provider (the emulator, a proxy)
 * @param deadline     the whole gather must finish within this
 * @param defaultUser  who gets the cloud's own SSH keys and cloud-config's ssh_authorized_keys
 * @param metadataKeys whether the cloud's SSH keys are installed at all
 * @param join         the join service or Vault to trade a bootstrap secret or the instance
 *                     identity with for runtime secrets; empty when there is none
 */
public record Settings(
        String provider,
        Optional<URI> metadataUrl,
        Duration deadline,
        String defaultUser,
        boolean metadataKeys,
        Aws aws,
        UserDataPolicy userData,
        Optional<JoinSettings> join) {

    /** @param imdsv1 allow falling back to IMDSv1 (no token) when the token PUT is refused */
    public record Aws(boolean imdsv1, boolean ipv6) {}

    /**
     * What the image lets user-data do.
     *
     * @param enabled    read user-data at all
     * @param maxBytes   user-data larger than this (after decompression) is refused
     * @param writePaths path prefixes user-data's files may be written under
     * @param owners     whether user-data may name owners and groups other than root
     */
    public record UserDataPolicy(boolean enabled, int maxBytes, List<String> writePaths, boolean owners) {
        public UserDataPolicy {
            writePaths = List.copyOf(writePaths);
        }
    }

    public Settings withProvider(String value) {
        return new Settings(value, metadataUrl, deadline, defaultUser, metadataKeys, aws, userData, join);
    }

    public Settings withMetadataUrl(URI value) {
        return new Settings(provider, Optional.of(value), deadline, defaultUser, metadataKeys, aws, userData, join);
    }
}
