package dev.bootsecrets.config;

import dev.bootsecrets.config.Declarations.Content;
import dev.bootsecrets.config.Declarations.CredentialDecl;
import dev.bootsecrets.config.Declarations.Encryption;
import dev.bootsecrets.config.Declarations.EnvDecl;
import dev.bootsecrets.config.Declarations.EnvVar;
import dev.bootsecrets.config.Declarations.PodmanDecl;
import dev.bootsecrets.config.Declarations.RegistryDecl;
import dev.bootsecrets.config.Declarations.RegistryLogin;
import dev.bootsecrets.config.Settings.RegistryAuth;
import dev.bootsecrets.secret.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Schema version 1 of the outputs that refer to secrets by name: {@code registries},
 * {@code credentials}, {@code env} and {@code podman}, and the machine's {@code registryAuth} setting.
 */
final class OutputSchema {
    private static final Set<String> REGISTRY_KEYS = Set.of("username", "password", "identityToken", "helper");
    private static final Set<String> CREDENTIAL_KEYS = Set.of("secret", "encrypt");
    private static final Set<String> REGISTRY_AUTH_KEYS = Set.of("persist", "podman");
    /** DNS labels, or an IPv6 address in brackets, then an optional port. */
    private static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]{2,45}\\])(?::([0-9]{1,5}))?");
    /** A repository path component as image references write it: lowercase, separators between. */
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern HELPER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    /** A credential name becomes a file name and a LoadCredential= name: no '/', never "." or "..". */
    private static final Pattern CREDENTIAL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,254}");
    /** podman's own rule for a secret's name; it also becomes a file name and a word of the driver's commands. */
    private static final Pattern PODMAN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,252}");
    private static final Set<String> PODMAN_KEYS = Set.of("secret", "user");
    private static final Pattern ENV_VAR = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
    private static final int MAX_REGISTRY = 255;
    /** What a registry key written by mistake (a scheme, a wildcard) still has: no '@', '?', space or line break. */
    private static final Pattern SHOWN_REGISTRY = Pattern.compile("[A-Za-z0-9._:/\\[\\]*-]{1," + MAX_REGISTRY + "}");
    private static final String NOT_SHOWN = "(a key that is not shown)";
    /** Docker's name for the user of an identity token; the token is what counts. */
    static final String TOKEN_USER = "<token>";

    static final String CREDENTIAL_RULE =
            "letters, digits, '.', '_' and '-', at most 255, starting with a letter or digit; it becomes a file name";
    static final String PODMAN_NAME_RULE =
            "letters, digits, '.', '_' and '-', at most 253, starting with a letter or digit";
    static final String ENV_VAR_RULE = "letters, digits and '_', not starting with a digit";

    private OutputSchema() {}

    static Optional<RegistryAuth> registryAuth(Object value, String path, Scope scope, RegistryAuth base) {
        return Fields.map(value, path, scope).map(m -> {
            Fields.checkKeys(m, REGISTRY_AUTH_KEYS, path, scope);
            return new RegistryAuth(
                    Fields.optional(m, "persist", path, scope, Fields::bool).orElse(base.persist()),
                    Fields.optional(m, "podman", path, scope, Fields::bool).orElse(base.podman()));
        });
    }

    static List<RegistryDecl> registries(Object value, Scope scope) {
        List<RegistryDecl> out = new ArrayList<>();
        Fields.entries(value, "registries", scope, (registry, path, v) -> {
            Optional<String> bad = registryProblem(registry);
            if (bad.isPresent()) {
                // A key such as user:password@host is shown only as far as it has a registry's characters.
                scope.error(SHOWN_REGISTRY.matcher(registry).matches() ? path : Fields.at("registries", NOT_SHOWN), bad.get());
                return;
            }
            Fields.map(v, path, scope).flatMap(entry -> login(registry, entry, path, scope))
                    .ifPresent(login -> out.add(new RegistryDecl(registry, login, scope.origin(path))));
        });
        return out;
    }

    /**
     * Why {@code key} cannot be a key of containers-auth.json, or empty: a registry host
     * (host, host:port) optionally followed by a namespace or repository, with no scheme,
     * tag, digest or trailing slash. Keys are matched literally, so a wildcard would never match.
     */
    static Optional<String> registryProblem(String key) {
        if (key.contains("://")) {
            return Optional.of("has a scheme; write the registry as host[:port][/namespace], without http:// or https://");
        }
        if (key.contains("*")) {
            return Optional.of("has a wildcard; containers-auth.json matches registries literally (host[:port][/namespace])");
        }
        if (key.isEmpty() || key.length() > MAX_REGISTRY) {
            return Optional.of("is not a registry (host[:port][/namespace], at most " + MAX_REGISTRY + " characters)");
        }
        if (key.endsWith("/")) {
            return Optional.of("ends with '/'; write host[:port][/namespace] without it");
        }
        int slash = key.indexOf('/');
        String host = slash < 0 ? key : key.substring(0, slash);
        Matcher m = HOST.matcher(host);
        if (!m.matches() || (m.group(1) != null && !validPort(m.group(1)))) {
            return Optional.of("does not start with a registry host (host or host:port)");
        }
        if (slash >= 0) {
            for (String part : key.substring(slash + 1).split("/", -1)) {
                if (!PATH_COMPONENT.matcher(part).matches()) {
                    return Optional.of("has a namespace part that is not a repository path (lowercase letters, digits"
                            + " and separators; no tag or digest)");
                }
            }
        }
        return Optional.empty();
    }

    private static boolean validPort(String port) {
        int n = Integer.parseInt(port);
        return n >= 1 && n <= 65535;
    }

    private static Optional<RegistryLogin> login(String registry, Map<?, ?> entry, String path, Scope scope) {
        Fields.checkKeys(entry, REGISTRY_KEYS, path, scope);
        List<String> kinds = new ArrayList<>();
        for (String kind : List.of("password", "identityToken", "helper")) {
            if (entry.containsKey(kind)) {
                kinds.add(kind);
            }
        }
        if (kinds.size() != 1) {
            scope.error(path, (kinds.isEmpty() ? "needs one of" : "has " + String.join(" and ", kinds) + "; give one of")
                    + " password (with username), identityToken or helper");
            return Optional.empty();
        }
        Optional<String> username = Fields.optional(entry, "username", path, scope, OutputSchema::username);
        switch (kinds.get(0)) {
            case "password" -> {
                if (!entry.containsKey("username")) {
                    scope.error(path + ".username", "is required with password");
                }
                Optional<String> secret = secretRef(entry.get("password"), path + ".password", scope);
                return username.flatMap(u -> secret.map(s -> new RegistryLogin.Password(u, s)));
            }
            case "identityToken" -> {
                Optional<String> secret = secretRef(entry.get("identityToken"), path + ".identityToken", scope);
                if (entry.containsKey("username") && username.isEmpty()) {
                    return Optional.empty();
                }
                return secret.map(s -> new RegistryLogin.IdentityToken(username.orElse(TOKEN_USER), s));
            }
            default -> {
                if (entry.containsKey("username")) {
                    scope.error(path + ".username", "goes with password or identityToken, not with helper");
                }
                if (registry.contains("/")) {
                    scope.error(path, "a credential helper serves a whole registry: use host[:port] without a namespace");
                    return Optional.empty();
                }
                return Fields.string(entry.get("helper"), path + ".helper", scope).filter(h -> {
                    boolean ok = HELPER.matcher(h).matches();
                    if (!ok) {
                        scope.error(path + ".helper", "is not a helper name (the NAME of a docker-credential-NAME program:"
                                + " letters, digits, '.', '_' and '-')");
                    }
                    return ok;
                }).map(RegistryLogin.Helper::new);
            }
        }
    }

    /** A registry username: plain text, not secret, and without the ':' that ends it in the auth field. */
    private static Optional<String> username(Object value, String path, Scope scope) {
        return Fields.string(value, path, scope).filter(u -> {
            boolean ok = !u.isEmpty() && u.length() <= 256 && u.indexOf(':') < 0 && u.chars().noneMatch(Character::isISOControl);
            if (!ok) {
                scope.error(path, "is not a username (1 to 256 characters, no ':' and no control characters)");
            }
            return ok;
        });
    }

    /** {@code {secret: NAME}}: a value that must come from a declared secret, never written inline. */
    private static Optional<String> secretRef(Object value, String path, Scope scope) {
        if (!(value instanceof Map<?, ?> m) || m.size() != 1 || !m.containsKey("secret")) {
            scope.error(path, "must be {secret: NAME}, naming a secret declared under secrets");
            return Optional.empty();
        }
        return Fields.string(m.get("secret"), path + ".secret", scope).filter(name -> {
            if (!Fields.secretName(name)) {
                scope.error(path + ".secret", "is not a secret name (" + Fields.SECRET_NAME_RULE + ")");
            }
            return Fields.secretName(name);
        });
    }

    static List<CredentialDecl> credentials(Object value, Scope scope) {
        List<CredentialDecl> out = new ArrayList<>();
        Fields.entries(value, "credentials", scope, (name, path, v) -> {
            if (!CREDENTIAL.matcher(name).matches()) {
                scope.error(path, "is not a credential name (" + CREDENTIAL_RULE + ")");
                return;
            }
            Fields.map(v, path, scope).ifPresent(entry -> {
                Fields.checkKeys(entry, CREDENTIAL_KEYS, path, scope);
                Optional<String> secret = secretName(entry, path, scope, "the credential");
                Optional<Encryption> encryption = entry.containsKey("encrypt")
                        ? encryption(entry.get("encrypt"), path + ".encrypt", scope)
                        : Optional.of(Encryption.NONE);
                if (secret.isPresent() && encryption.isPresent()) {
                    out.add(new CredentialDecl(name, secret.get(), encryption.get(), scope.origin(path)));
                }
            });
        });
        return out;
    }

    /** {@code secret: NAME}, required: the named secret that {@code what} holds. */
    private static Optional<String> secretName(Map<?, ?> entry, String path, Scope scope, String what) {
        if (!entry.containsKey("secret")) {
            scope.error(path + ".secret", "is required: the secret " + what + " holds");
        }
        return Fields.optional(entry, "secret", path, scope, (s, p, sc) ->
                Fields.string(s, p, sc).filter(n -> {
                    if (!Fields.secretName(n)) {
                        sc.error(p, "is not a secret name (" + Fields.SECRET_NAME_RULE + ")");
                    }
                    return Fields.secretName(n);
                }));
    }

    /** {@code podman: {NAME: {secret: S, user: U}}}: podman secrets the agent serves (to root's podman, or to U's own), by podman's rules for a secret's name. */
    static List<PodmanDecl> podman(Object value, Scope scope) {
        List<PodmanDecl> out = new ArrayList<>();
        Fields.entries(value, "podman", scope, (name, path, v) -> {
            if (!PODMAN_NAME.matcher(name).matches()) {
                scope.error(path, "is not a podman secret name (" + PODMAN_NAME_RULE + ")");
                return;
            }
            Fields.map(v, path, scope).ifPresent(entry -> {
                Fields.checkKeys(entry, PODMAN_KEYS, path, scope);
                Optional<String> user = Fields.optional(entry, "user", path, scope, Fields::name);
                user.ifPresent(u -> podmanUser(u, path + ".user", scope));
                secretName(entry, path, scope, "the podman secret")
                        .ifPresent(secret -> out.add(new PodmanDecl(name, secret, user, scope.origin(path))));
            });
        });
        return out;
    }

    /**
     * A user's own (rootless) podman gets the secret: the value is that user's, as a file they
     * own would be, so user-data may name one only where it may name owners (userData.owners).
     */
    private static void podmanUser(String user, String path, Scope scope) {
        if (Scope.isRoot(user)) {
            scope.error(path, "names root: root's podman gets the secret when no user is named");
            return;
        }
        scope.checkOwner(path, Optional.of(user));
    }

    private static Optional<Encryption> encryption(Object value, String path, Scope scope) {
        if (Boolean.FALSE.equals(value)) {
            return Optional.of(Encryption.NONE);
        }
        for (Encryption e : Encryption.values()) {
            if (e.word().equals(value)) {
                return Optional.of(e);
            }
        }
        scope.error(path, "must be false, host, tpm2 or host+tpm2");
        return Optional.empty();
    }

    static List<EnvDecl> env(Object value, Scope scope) {
        List<EnvDecl> out = new ArrayList<>();
        Fields.entries(value, "env", scope, (name, path, v) -> {
            if (!Fields.secretName(name)) {
                scope.error(path, "is not an env file name (" + Fields.SECRET_NAME_RULE + ")");
                return;
            }
            Fields.map(v, path, scope).ifPresent(vars -> {
                List<EnvVar> list = new ArrayList<>();
                vars.forEach((vk, vv) -> envVar(Fields.key(vk), vv, path + "." + Fields.key(vk), scope).ifPresent(list::add));
                if (list.size() == vars.size()) {
                    out.add(new EnvDecl(name, list, scope.origin(path)));
                }
            });
        });
        return out;
    }

    /** {@code VAR: text} or {@code VAR: {secret: NAME}}. */
    private static Optional<EnvVar> envVar(String var, Object value, String path, Scope scope) {
        if (!ENV_VAR.matcher(var).matches()) {
            scope.error(path, "is not a variable name (" + ENV_VAR_RULE + ")");
            return Optional.empty();
        }
        if (value instanceof Map<?, ?>) {
            return secretRef(value, path, scope).map(s -> new EnvVar(var, new Content.SecretRef(s)));
        }
        if (value instanceof String s) {
            if (s.indexOf('\0') >= 0) {
                scope.error(path, "holds a NUL character, which an environment file cannot carry");
                return Optional.empty();
            }
            return Optional.of(new EnvVar(var, new Content.Literal(Secret.ofUtf8(s))));
        }
        scope.error(path, "must be a string (in quotes) or {secret: NAME}");
        return Optional.empty();
    }
}
