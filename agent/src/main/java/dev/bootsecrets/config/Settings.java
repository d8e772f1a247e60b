package dev.bootsecrets.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
 * @param endpoints    the clouds' secrets managers (VPC or private endpoints, FIPS, the emulator)
 * @param lockdown     who may reach the metadata service after the run ({@code metadata.lockdown})
 * @param offline      the last-known-good store, when the image allows it ({@link Offline})
 * @param route        which metadata address is used, and where systemd-imdsd answers ({@link Route})
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
        Optional<JoinSettings> join,
        Endpoints endpoints,
        Lockdown lockdown,
        Optional<Offline> offline,
        Route route) {

    /**
     * {@code endpoints:}, where the secrets managers are reached: URL templates, {@code {region}}
     * replaced by the secret's region, {@code {vault}} by the Key Vault's name. https, or http to
     * a loopback address (the emulator). {@code ecr} and {@code acr} are where
     * docker-credential-bootsecrets gets registry tokens ({@code {region}} the registry's region,
     * {@code {registry}} its host); empty: the registry's own (the region's ECR API, FIPS or
     * China included, and https://REGISTRY/oauth2/exchange).
     */
    public record Endpoints(String awsSecretsManager, String awsSsm, String gcpSecretManager, String azureKeyVault,
            Optional<String> ecr, Optional<String> acr) {
        public static final String REGION = "{region}";
        public static final String VAULT = "{vault}";
        public static final String REGISTRY = "{registry}";
        public static final Endpoints DEFAULT = new Endpoints("https://secretsmanager.{region}.amazonaws.com",
                "https://ssm.{region}.amazonaws.com", "https://secretmanager.googleapis.com", "https://{vault}.vault.azure.net",
                Optional.empty(), Optional.empty());

        /** The secrets managers' endpoints, with the registries' own. */
        public Endpoints(String awsSecretsManager, String awsSsm, String gcpSecretManager, String azureKeyVault) {
            this(awsSecretsManager, awsSsm, gcpSecretManager, azureKeyVault, Optional.empty(), Optional.empty());
        }
    }

    /** @param imdsv1 allow falling back to IMDSv1 (no token) when the token PUT is refused */
    public record Aws(boolean imdsv1, boolean ipv6) {}

    /**
     * How the metadata service is reached ({@code metadata.address}, {@code metadata.imdsd}).
     *
     * @param address which of the cloud's addresses: AUTO takes IPv4 and falls back to IPv6 when
     *                IPv4 is unreachable; IPV4 and IPV6 pin one
     * @param imdsd   the Unix socket of systemd-imdsd ({@code io.systemd.InstanceMetadata}) on
     *                this host, asked instead of the network when it is there
     */
    public record Route(Address address, String imdsd) {
        public static final String IMDSD_SOCKET = "/run/systemd/io.systemd.InstanceMetadata";
        public static final Route DEFAULT = new Route(Address.AUTO, IMDSD_SOCKET);
    }

    public enum Address { AUTO, IPV4, IPV6 }

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
     * What the image lets user-data do ({@code userData:}), capability by capability; the
     * defaults are the safe ones. Whoever controls user-data (and, for {@link #sshUsers}, the
     * instance's metadata) gets exactly this much. docs/security.md is the table.
     *
     * @param enabled       read user-data at all
     * @param maxBytes      the most user-data may decode to in total: the raw bytes, gzip, MIME
     *                      parts and encoded write_files contents together
     * @param writePaths    path prefixes user-data's files may be written under; {@link #NEVER_WRITTEN}
     *                      stays out of reach whatever they say
     * @param owners        whether user-data may name owners and groups other than root
     * @param sshUsers      who may get SSH keys from user-data and the cloud's metadata: names, or
     *                      {@value #ANY_USER} for every user but root; root (uid 0) only when listed
     * @param defaultUser   whether user-data may set {@code defaultUser}
     * @param sources       the secret source kinds user-data's secrets may use ({@link Declarations.Source#KINDS})
     * @param readPaths     path prefixes a {@code file:} source in user-data may read (with
     *                      {@code file} among the sources); none by default
     * @param configSecrets whether user-data may refer to, or replace, secrets the config declared
     * @param gcpProjectConfig whether Google Cloud's {@code bootsecrets-config} may come from the
     *                      project's attributes (every project editor's) when the instance has none
     */
    public record UserDataPolicy(
            boolean enabled,
            int maxBytes,
            List<String> writePaths,
            boolean owners,
            List<String> sshUsers,
            boolean defaultUser,
            Set<String> sources,
            List<String> readPaths,
            boolean configSecrets,
            boolean gcpProjectConfig) {

        /** In {@link #sshUsers}: every user of the machine except root. */
        public static final String ANY_USER = "*";

        /**
         * The agent's own config, state and manifests and systemd's credential host key: never
         * written for user-data, whatever writePaths say (a prefix ending in "/" is a directory).
         */
        public static final List<String> NEVER_WRITTEN = List.of(
                "/etc/bootsecrets/", "/usr/lib/bootsecrets/", "/var/lib/bootsecrets/", "/run/bootsecrets/",
                "/run/bootsecrets-podman/", "/var/lib/systemd/credential.secret");

        public static final UserDataPolicy DEFAULT = new UserDataPolicy(true, 1024 * 1024,
                List.of("/etc/", "/run/", "/var/"), true, List.of(ANY_USER), false,
                Set.of(Declarations.Source.VALUE, Declarations.Source.METADATA), List.of(), false, false);

        public UserDataPolicy {
            writePaths = List.copyOf(writePaths);
            sshUsers = List.copyOf(sshUsers);
            sources = Set.copyOf(sources);
            readPaths = List.copyOf(readPaths);
        }

        /** Whether user-data or metadata may give {@code user} SSH keys; root (by name or uid 0) only when listed by name. */
        public boolean allowsSsh(String user) {
            return sshUsers.contains(user) || (sshUsers.contains(ANY_USER) && !isRoot(user));
        }

        /** {@link #allowsSsh} for an account of the machine: uid 0 under any name is root, allowed only when listed by name. */
        public boolean allowsSsh(String user, int uid) {
            return allowsSsh(user) && (uid != 0 || sshUsers.contains(user));
        }

        /** The error (or warning) for keys {@link #allowsSsh} refuses. */
        public String sshRefusal(String user) {
            return isRoot(user)
                    ? "user-data and metadata may not give root SSH keys (userData.sshUsers does not list root)"
                    : sshUsers.contains(ANY_USER)
                    ? "user-data and metadata may not give " + user + " SSH keys: its uid is 0 (userData.sshUsers does not list it)"
                    : "user-data and metadata may not give " + user + " SSH keys (userData.sshUsers does not list it)";
        }

        /** Whether user-data's secrets may come from sources of this kind ({@link Declarations.Source#kind}). */
        public boolean allowsSource(String kind) {
            return sources.contains(kind);
        }

        /** The user names that mean root to these checks; uid 0 under another name is caught at plan time. */
        public static boolean isRoot(String user) {
            return user.equals("root") || user.equals("0");
        }

        /** {@code path} is one of {@code prefixes}, or lies under one that ends in "/" or under a directory named without it. */
        public static boolean covers(String path, List<String> prefixes) {
            return prefixes.stream().anyMatch(p -> p.endsWith("/") ? path.startsWith(p) : path.equals(p) || path.startsWith(p + "/"));
        }
    }

    /**
     * {@code registryAuth:}, the machine's choice of where registry logins live.
     *
     * @param persist false: /run/ostree/auth.json, gone at the next boot; true: /etc/ostree/auth.json
     * @param podman  also keep podman's rootful auth file (/run/containers/0/auth.json) in step, and
     *                put credential helpers (and, when persisting, logins) in /etc/containers/auth.json
     */
    public record RegistryAuth(boolean persist, boolean podman) {
        public static final RegistryAuth DEFAULT = new RegistryAuth(false, false);
    }

    public Settings withProvider(String value) {
        return new Settings(value, metadataUrl, deadline, defaultUser, metadataKeys, aws, userData, azure, nocloud,
                registryAuth, join, endpoints, lockdown, offline, route);
    }

    public Settings withUserData(UserDataPolicy value) {
        return new Settings(provider, metadataUrl, deadline, defaultUser, metadataKeys, aws, value, azure, nocloud,
                registryAuth, join, endpoints, lockdown, offline, route);
    }

    public Settings withMetadataUrl(URI value) {
        return new Settings(provider, Optional.of(value), deadline, defaultUser, metadataKeys, aws, userData, azure,
                nocloud, registryAuth, join, endpoints, lockdown, offline, route);
    }
}
