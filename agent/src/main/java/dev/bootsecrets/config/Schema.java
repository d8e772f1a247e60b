package dev.bootsecrets.config;

import dev.bootsecrets.config.Declarations.Content;
import dev.bootsecrets.config.Declarations.FileDecl;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.Declarations.SshDecl;
import dev.bootsecrets.config.Settings.Aws;
import dev.bootsecrets.config.Settings.Azure;
import dev.bootsecrets.config.Settings.NoCloud;
import dev.bootsecrets.config.Settings.ReadyReport;
import dev.bootsecrets.config.Settings.RegistryAuth;
import dev.bootsecrets.config.Settings.UserDataPolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Schema version 1 of the {@code bootsecrets:} section: a config file's mapping, or
 * user-data's section, read into settings and declarations by hand, every error by its path.
 * {@code secrets:} is read by {@link SecretSchema}; registries, credentials, env and podman by
 * {@link OutputSchema}; join by {@link JoinSchema}.
 */
final class Schema {
    static final int VERSION = 1;

    private static final Set<String> KEYS = Set.of(
            "version", "provider", "metadata", "defaultUser", "metadataKeys", "userData", "secrets", "ssh", "files",
            "registryAuth", "registries", "credentials", "env", "podman", "join", "endpoints", "offline");
    /** What only the image's and the machine's config may set. */
    private static final Set<String> MACHINE_ONLY =
            Set.of("provider", "metadata", "metadataKeys", "userData", "registryAuth", "join", "endpoints", "offline");
    private static final Set<String> PROVIDERS = Set.of("auto", "aws", "gcp", "azure", "imdsd", "nocloud", "none");
    private static final Set<String> METADATA_KEYS = Set.of("url", "deadline", "aws", "azure", "nocloud", "lockdown", "address", "imdsd");
    private static final Set<String> AWS_KEYS = Set.of("imdsv1", "ipv6");
    private static final Set<String> AZURE_KEYS = Set.of("readyReport", "ovfEnv", "wireserver");
    private static final Set<String> NOCLOUD_KEYS = Set.of("seed");
    private static final Set<String> ENDPOINT_KEYS = Set.of("awsSecretsManager", "awsSsm", "gcpSecretManager", "azureKeyVault", "ecr", "acr");
    private static final Set<String> USER_DATA_KEYS = Set.of(
            "enabled", "maxBytes", "writePaths", "owners", "sshUsers", "defaultUser", "sources", "readPaths",
            "configSecrets", "gcpProjectConfig");
    private static final Set<String> FILE_KEYS = Set.of("content", "secret", "owner", "group", "mode", "append");

    private Schema() {}

    static Settings defaults() {
        return new Settings("auto", Optional.empty(), Duration.ofSeconds(60), "core", true,
                new Aws(false, false),
                UserDataPolicy.DEFAULT,
                Azure.DEFAULT, NoCloud.DEFAULT, RegistryAuth.DEFAULT, Optional.empty(), Settings.Endpoints.DEFAULT, Lockdown.OFF, Optional.empty(),
                Settings.Route.DEFAULT);
    }

    /** The section's settings laid over {@code base}, and the declarations it makes itself. */
    static Config section(Map<?, ?> section, Settings base, Scope scope) {
        for (Object k : section.keySet()) {
            String key = Fields.key(k);
            if (!KEYS.contains(key)) {
                scope.error(key, key.equals("bootsecrets")
                        ? "unknown key (a config file holds the section's keys at top level, with no bootsecrets: around them)"
                        : "unknown key (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            } else if (scope.userData() && MACHINE_ONLY.contains(key)) {
                scope.error(key, "user-data may not set this (only the image's or the machine's config may;"
                        + " user-data may set version, defaultUser, secrets, ssh, files, registries, credentials, env and podman)");
            }
        }
        if (section.containsKey("version") && !Integer.valueOf(VERSION).equals(section.get("version"))) {
            scope.error("version", "must be " + VERSION + ", the schema version this agent reads");
        }
        Declarations declarations = new Declarations(
                SecretSchema.secrets(section.get("secrets"), scope), ssh(section.get("ssh"), scope), files(section.get("files"), scope),
                OutputSchema.registries(section.get("registries"), scope),
                OutputSchema.credentials(section.get("credentials"), scope),
                OutputSchema.env(section.get("env"), scope),
                OutputSchema.podman(section.get("podman"), scope));
        return new Config(settings(section, base, scope), declarations);
    }

    private static Settings settings(Map<?, ?> s, Settings base, Scope scope) {
        String defaultUser = Fields.optional(s, "defaultUser", "", scope, Fields::name).orElse(base.defaultUser());
        if (scope.userData()) {
            if (s.containsKey("defaultUser") && !scope.policy().orElseThrow().defaultUser()) {
                scope.error("defaultUser", "user-data may not set the default user (userData.defaultUser is false)");
                defaultUser = base.defaultUser();
            }
            return new Settings(base.provider(), base.metadataUrl(), base.deadline(), defaultUser,
                    base.metadataKeys(), base.aws(), base.userData(), base.azure(), base.nocloud(), base.registryAuth(),
                    base.join(), base.endpoints(), base.lockdown(), base.offline(), base.route());
        }
        String provider = Fields.optional(s, "provider", "", scope, Schema::provider).orElse(base.provider());
        boolean metadataKeys = Fields.optional(s, "metadataKeys", "", scope, Fields::bool).orElse(base.metadataKeys());
        Optional<URI> url = base.metadataUrl();
        Duration deadline = base.deadline();
        Aws aws = base.aws();
        Azure azure = base.azure();
        NoCloud nocloud = base.nocloud();
        Lockdown lockdown = base.lockdown();
        Settings.Route route = base.route();
        Optional<Map<?, ?>> metadata = Fields.optional(s, "metadata", "", scope, Fields::map);
        if (metadata.isPresent()) {
            Map<?, ?> m = metadata.get();
            Fields.checkKeys(m, METADATA_KEYS, "metadata", scope);
            if (m.containsKey("url")) {
                // null puts the provider's own endpoint back, over a url an earlier layer set
                url = m.get("url") == null ? Optional.empty() : Fields.url(m.get("url"), "metadata.url", scope);
            }
            deadline = Fields.optional(m, "deadline", "metadata", scope, Fields::duration).orElse(deadline);
            Optional<Map<?, ?>> a = Fields.optional(m, "aws", "metadata", scope, Fields::map);
            if (a.isPresent()) {
                Fields.checkKeys(a.get(), AWS_KEYS, "metadata.aws", scope);
                aws = new Aws(
                        Fields.optional(a.get(), "imdsv1", "metadata.aws", scope, Fields::bool).orElse(aws.imdsv1()),
                        Fields.optional(a.get(), "ipv6", "metadata.aws", scope, Fields::bool).orElse(aws.ipv6()));
            }
            azure = Fields.optional(m, "azure", "metadata", scope, Fields::map).map(z -> azure(z, base.azure(), scope))
                    .orElse(azure);
            Optional<Map<?, ?>> n = Fields.optional(m, "nocloud", "metadata", scope, Fields::map);
            if (n.isPresent()) {
                Fields.checkKeys(n.get(), NOCLOUD_KEYS, "metadata.nocloud", scope);
                nocloud = Fields.optional(n.get(), "seed", "metadata.nocloud", scope, Schema::absolute)
                        .map(NoCloud::new).orElse(nocloud);
            }
            lockdown = m.containsKey("lockdown") ? Lockdown.read(m.get("lockdown"), lockdown, scope) : lockdown;
            route = new Settings.Route(
                    Fields.optional(m, "address", "metadata", scope, Schema::address).orElse(route.address()),
                    Fields.optional(m, "imdsd", "metadata", scope, Schema::absolute).orElse(route.imdsd()));
        }
        UserDataPolicy policy = Fields.optional(s, "userData", "", scope, Fields::map)
                .map(m -> policy(m, base.userData(), scope)).orElse(base.userData());
        RegistryAuth registryAuth = s.containsKey("registryAuth")
                ? OutputSchema.registryAuth(s.get("registryAuth"), "registryAuth", scope, base.registryAuth())
                        .orElse(base.registryAuth())
                : base.registryAuth();
        Optional<JoinSettings> join = s.containsKey("join") ? JoinSchema.read(s.get("join"), scope) : base.join();
        Settings.Endpoints endpoints = Fields.optional(s, "endpoints", "", scope, Fields::map)
                .map(m -> endpoints(m, base.endpoints(), scope)).orElse(base.endpoints());
        Optional<Offline> offline = s.containsKey("offline") ? Offline.read(s.get("offline"), scope) : base.offline();
        return new Settings(provider, url, deadline, defaultUser, metadataKeys, aws, policy, azure, nocloud,
                registryAuth, join, endpoints, lockdown, offline, route);
    }

    private static Settings.Endpoints endpoints(Map<?, ?> m, Settings.Endpoints base, Scope scope) {
        Fields.checkKeys(m, ENDPOINT_KEYS, "endpoints", scope);
        return new Settings.Endpoints(
                endpoint(m, "awsSecretsManager", scope).orElse(base.awsSecretsManager()),
                endpoint(m, "awsSsm", scope).orElse(base.awsSsm()),
                endpoint(m, "gcpSecretManager", scope).orElse(base.gcpSecretManager()),
                endpoint(m, "azureKeyVault", scope).orElse(base.azureKeyVault()),
                endpoint(m, "ecr", scope).or(base::ecr),
                endpoint(m, "acr", scope).or(base::acr));
    }

    /**
     * A URL template: https, or http to a loopback address, since a token or signature goes with
     * every request; {@code {region}}, {@code {vault}} and {@code {registry}} may stand in the host name.
     */
    private static Optional<String> endpoint(Map<?, ?> m, String key, Scope scope) {
        String path = "endpoints." + key;
        return Fields.optional(m, key, "endpoints", scope, Fields::string).flatMap(template -> {
            String sample = template.replace(Settings.Endpoints.REGION, "us-east-1").replace(Settings.Endpoints.VAULT, "v")
                    .replace(Settings.Endpoints.REGISTRY, "r.azurecr.io");
            try {
                URI uri = new URI(sample);
                boolean loopback = "http".equals(uri.getScheme()) && uri.getHost() != null
                        && (uri.getHost().equals("localhost") || uri.getHost().equals("[::1]")
                                || uri.getHost().matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}"));
                boolean https = "https".equals(uri.getScheme()) && uri.getHost() != null;
                if ((https || loopback) && uri.getRawQuery() == null && uri.getRawUserInfo() == null && uri.getRawFragment() == null) {
                    return Optional.of(template.replaceAll("/+$", ""));
                }
            } catch (URISyntaxException e) {
                // reported below
            }
            scope.error(path, "must be an https:// URL (http:// only to a loopback address), without query or user");
            return Optional.empty();
        });
    }

    private static Azure azure(Map<?, ?> m, Azure base, Scope scope) {
        Fields.checkKeys(m, AZURE_KEYS, "metadata.azure", scope);
        Optional<URI> wireserver = base.wireserver();
        if (m.containsKey("wireserver")) {
            wireserver = m.get("wireserver") == null
                    ? Optional.empty() : Fields.url(m.get("wireserver"), "metadata.azure.wireserver", scope);
        }
        return new Azure(
                Fields.optional(m, "readyReport", "metadata.azure", scope, Schema::readyReport).orElse(base.readyReport()),
                Fields.optional(m, "ovfEnv", "metadata.azure", scope, Schema::absolute).orElse(base.ovfEnv()),
                wireserver);
    }

    /** true, false or auto. */
    private static Optional<ReadyReport> readyReport(Object value, String path, Scope scope) {
        if (value instanceof Boolean b) {
            return Optional.of(b ? ReadyReport.ON : ReadyReport.OFF);
        }
        if ("auto".equals(value)) {
            return Optional.of(ReadyReport.AUTO);
        }
        scope.error(path, "must be true, false or auto");
        return Optional.empty();
    }

    private static Optional<String> absolute(Object value, String path, Scope scope) {
        return Fields.string(value, path, scope).filter(p -> {
            if (!Fields.plainAbsolute(p)) {
                scope.error(path, Fields.PATH_RULE);
            }
            return Fields.plainAbsolute(p);
        });
    }

    private static Optional<String> provider(Object value, String path, Scope scope) {
        return Fields.string(value, path, scope).filter(p -> {
            if (!PROVIDERS.contains(p)) {
                scope.error(path, Fields.show(p) + " is not a provider (use auto, aws, gcp, azure, imdsd, nocloud or none)");
            }
            return PROVIDERS.contains(p);
        });
    }

    private static Optional<Settings.Address> address(Object value, String path, Scope scope) {
        return Fields.string(value, path, scope).flatMap(a -> switch (a) {
            case "auto" -> Optional.of(Settings.Address.AUTO);
            case "ipv4" -> Optional.of(Settings.Address.IPV4);
            case "ipv6" -> Optional.of(Settings.Address.IPV6);
            default -> {
                scope.error(path, Fields.show(a) + " is not an address choice (use auto, ipv4 or ipv6)");
                yield Optional.empty();
            }
        });
    }

    private static UserDataPolicy policy(Map<?, ?> m, UserDataPolicy base, Scope scope) {
        Fields.checkKeys(m, USER_DATA_KEYS, "userData", scope);
        return new UserDataPolicy(
                Fields.optional(m, "enabled", "userData", scope, Fields::bool).orElse(base.enabled()),
                Fields.optional(m, "maxBytes", "userData", scope, Fields::size).orElse(base.maxBytes()),
                Fields.optional(m, "writePaths", "userData", scope, Schema::directories).orElse(base.writePaths()),
                Fields.optional(m, "owners", "userData", scope, Fields::bool).orElse(base.owners()),
                Fields.optional(m, "sshUsers", "userData", scope, Schema::sshUsers).orElse(base.sshUsers()),
                Fields.optional(m, "defaultUser", "userData", scope, Fields::bool).orElse(base.defaultUser()),
                Fields.optional(m, "sources", "userData", scope, Schema::sourceKinds).orElse(base.sources()),
                Fields.optional(m, "readPaths", "userData", scope, Schema::directories).orElse(base.readPaths()),
                Fields.optional(m, "configSecrets", "userData", scope, Fields::bool).orElse(base.configSecrets()),
                Fields.optional(m, "gcpProjectConfig", "userData", scope, Fields::bool).orElse(base.gcpProjectConfig()));
    }

    /** User names, or "*" for every user but root. */
    private static Optional<List<String>> sshUsers(Object value, String path, Scope scope) {
        return Fields.strings(value, path, scope).map(users -> {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < users.size(); i++) {
                String user = users.get(i);
                if (user.equals(UserDataPolicy.ANY_USER)) {
                    out.add(user);
                } else {
                    Fields.name(user, path + "[" + i + "]", scope).ifPresent(out::add);
                }
            }
            return out;
        });
    }

    /** Source kinds, each one of {@link Source#KINDS}. */
    private static Optional<Set<String>> sourceKinds(Object value, String path, Scope scope) {
        return Fields.strings(value, path, scope).map(kinds -> {
            Set<String> out = new HashSet<>();
            for (int i = 0; i < kinds.size(); i++) {
                if (Source.KINDS.contains(kinds.get(i))) {
                    out.add(kinds.get(i));
                } else {
                    scope.error(path + "[" + i + "]", Fields.show(kinds.get(i)) + " is not a source kind (use "
                            + String.join(", ", Source.KINDS.stream().sorted().toList()) + ")");
                }
            }
            return out;
        });
    }

    /** Directories as prefixes that end in "/", so /etc does not let user-data write /etcetera. */
    private static Optional<List<String>> directories(Object value, String path, Scope scope) {
        return Fields.strings(value, path, scope).map(dirs -> {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < dirs.size(); i++) {
                String dir = dirs.get(i).endsWith("/") ? dirs.get(i) : dirs.get(i) + "/";
                if (dir.equals("/") || Fields.plainAbsolute(dir.substring(0, dir.length() - 1))) {
                    out.add(dir);
                } else {
                    scope.error(path + "[" + i + "]", "is not an absolute directory");
                }
            }
            return out;
        });
    }

    private static List<SshDecl> ssh(Object value, Scope scope) {
        List<SshDecl> out = new ArrayList<>();
        Fields.entries(value, "ssh", scope, (name, path, v) -> {
            Optional<String> user = Fields.name(name, path, scope);
            Optional<List<String>> keys = Fields.strings(v, path, scope);
            user.ifPresent(u -> scope.checkSshUser(path, u));
            if (user.isPresent() && keys.isPresent()) {
                out.add(new SshDecl(user.get(), keys.get(), scope.origin(path)));
            }
        });
        return out;
    }

    private static List<FileDecl> files(Object value, Scope scope) {
        List<FileDecl> out = new ArrayList<>();
        Fields.entries(value, "files", scope, (file, path, v) -> {
            if (!Fields.plainAbsolute(file)) {
                scope.error(path, Fields.PATH_RULE);
                return;
            }
            Fields.map(v, path, scope).ifPresent(entry -> file(file, entry, path, scope).ifPresent(out::add));
        });
        return out;
    }

    private static Optional<FileDecl> file(String file, Map<?, ?> entry, String path, Scope scope) {
        Fields.checkKeys(entry, FILE_KEYS, path, scope);
        Optional<String> owner = Fields.optional(entry, "owner", path, scope, Fields::name);
        Optional<String> group = Fields.optional(entry, "group", path, scope, Fields::name);
        scope.checkOwner(path + ".owner", owner);
        scope.checkOwner(path + ".group", group);
        Optional<Integer> mode = Fields.optional(entry, "mode", path, scope, Fields::mode);
        boolean append = Fields.optional(entry, "append", path, scope, Fields::bool).orElse(false);
        boolean literal = entry.containsKey("content");
        if (literal == entry.containsKey("secret")) {
            scope.error(path, literal ? "has both content and secret; give one" : "needs content or secret");
            return Optional.empty();
        }
        Optional<Content> content = literal
                ? Fields.bytes(entry.get("content"), path + ".content", scope).map(Content.Literal::new)
                : Fields.string(entry.get("secret"), path + ".secret", scope).filter(name -> {
                    if (!Fields.secretName(name)) {
                        scope.error(path + ".secret", "is not a secret name (" + Fields.SECRET_NAME_RULE + ")");
                    }
                    return Fields.secretName(name);
                }).map(Content.SecretRef::new);
        return content.map(c -> new FileDecl(file, c, owner, group,
                mode.map(OptionalInt::of).orElse(OptionalInt.empty()), append, scope.origin(path)));
    }
}
