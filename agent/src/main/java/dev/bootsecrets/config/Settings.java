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
 * @param azure        Azure's ready report and custom data
 * @param nocloud      where the local seed is
 * @param registryAuth where registry logins are written
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
        Azure azure,
        NoCloud nocloud,
        RegistryAuth registryAuth,
        Optional<JoinSettings> join) {

    /** @param imdsv1 allow falling back to IMDSv1 (no token) when the token PUT is refused */
    public record Aws(boolean imdsv1, boolean ipv6) {}

    /** Whether the agent tells Azure's wireserver that the machine is ready (see the README). */
    public enum ReadyReport { AUTO, ON, OFF }

    /**
     * @param readyReport AUTO reports unless the image has an agent that does (waagent,
     *                    cloud-init, Afterburn)
     * @param ovfEnv      where the provisioning media's ovf-env.xml is, inside the target root
     * @param wireserver  another wireserver endpoint; empty means the metadata URL when one is
     *                    set (the emulator serves both), else 168.63.129.16
     */
    public record Azure(ReadyReport readyReport, String ovfEnv, Optional<URI> wireserver) {
        public static final Azure DEFAULT =
                new Azure(ReadyReport.AUTO, "/run/bootsecrets/azure-media/ovf-env.xml", Optional.empty());
    }

    /** @param seed the seed directory (meta-data, user-data), inside the target root */
    public record NoCloud(String seed) {
        public static final NoCloud DEFAULT = new NoCloud("/var/lib/bootsecrets/seed");
    }

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

        /** Whether user-data may have {@code path} written: it lies under one of writePaths ("/etc" does not cover "/etcetera"). */
        public boolean allows(String path) {
            return writePaths.stream().anyMatch(dir -> path.startsWith(dir.endsWith("/") ? dir : dir + "/"));
        }

        /** The error for a path user-data may not have written. */
        public String refusal(String path) {
            return path + " is outside the paths user-data may write (" + String.join(", ", writePaths) + ")";
        }
    }

    /**
     * {@code registryAuth:}, the machine's choice of where registry logins live.
     *
     * @param persist false: /run/ostree/auth.json, gone at the next boot; true: /etc/ostree/auth.json
     * @param podman  also keep podman's rootful auth file (/run/containers/0/auth.json) in step, and
     *                put credential helpers (and, when persisting, logins) in /etc/containers/auth.json
     * @param ecr     docker-credential-bootsecrets: another ECR API endpoint than the registry's
     *                region's (a VPC endpoint, the emulator)
     * @param acr     docker-credential-bootsecrets: another token exchange URL than the
     *                registry's own https://REGISTRY/oauth2/exchange (the emulator)
     */
    public record RegistryAuth(boolean persist, boolean podman, Optional<URI> ecr, Optional<URI> acr) {
        public static final RegistryAuth DEFAULT = new RegistryAuth(false, false);

        public RegistryAuth(boolean persist, boolean podman) {
            this(persist, podman, Optional.empty(), Optional.empty());
        }
    }

    public Settings withProvider(String value) {
        return new Settings(value, metadataUrl, deadline, defaultUser, metadataKeys, aws, userData, azure, nocloud,
                registryAuth, join);
    }

    public Settings withUserData(UserDataPolicy value) {
        return new Settings(provider, metadataUrl, deadline, defaultUser, metadataKeys, aws, value, azure, nocloud,
                registryAuth, join);
    }

    public Settings withMetadataUrl(URI value) {
        return new Settings(provider, Optional.of(value), deadline, defaultUser, metadataKeys, aws, userData, azure,
                nocloud, registryAuth, join);
    }
}
