package dev.bootsecrets.config;

import dev.bootsecrets.config.JoinSettings.AppRole;
import dev.bootsecrets.config.JoinSettings.CertAuth;
import dev.bootsecrets.config.JoinSettings.Certificate;
import dev.bootsecrets.config.JoinSettings.CloudLogin;
import dev.bootsecrets.config.JoinSettings.Pki;
import dev.bootsecrets.config.JoinSettings.VaultAuth;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code join:} section of schema version 1. It is read as a whole: a later layer's
 * {@code join} replaces an earlier one's (a Vault address from one file and an auth method
 * from another would be a join nobody wrote), and {@code join: null} removes it.
 */
final class JoinSchema {
    static final Duration DEADLINE = Duration.ofSeconds(60);
    static final String CERTIFICATE_DIR = "/etc/pki/bootsecrets";

    private static final Set<String> KEYS = Set.of("url", "token", "caFile", "vault", "deadline", "certificate");
    private static final Set<String> CERTIFICATE_KEYS = Set.of("dir", "commonName");
    private static final Set<String> VAULT_KEYS = Set.of("address", "caFile", "auth", "kv", "pki", "certAuth");
    private static final Set<String> AUTH_KEYS = Set.of("method", "mount", "role", "roleId", "secretId", "wrapped");
    private static final Set<String> CLOUD_AUTH_KEYS = Set.of("method", "mount", "role");
    private static final Set<String> PKI_KEYS = Set.of("mount", "role", "ttl");
    private static final Set<String> CERT_AUTH_KEYS = Set.of("mount", "role");
    /** Vault mount and role names as they appear in URL paths: no slashes in a name, no "." or "..". */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_@][A-Za-z0-9_.@-]{0,127}");
    private static final Pattern LOOPBACK = Pattern.compile("localhost|127(\\.[0-9]{1,3}){3}|\\[::1\\]");
    private static final Pattern COMMON_NAME = Pattern.compile("[A-Za-z0-9*_.-]{1,64}");

    private JoinSchema() {}

    static Optional<JoinSettings> read(Object value, Scope scope) {
        if (value == null) {
            return Optional.empty();
        }
        Optional<Map<?, ?>> section = Fields.map(value, "join", scope);
        if (section.isEmpty()) {
            return Optional.empty();
        }
        Map<?, ?> j = section.get();
        Fields.checkKeys(j, KEYS, "join", scope);
        Duration deadline = Fields.optional(j, "deadline", "join", scope, Fields::duration).orElse(DEADLINE);
        Optional<Certificate> certificate = j.containsKey("certificate")
                ? Fields.map(j.get("certificate"), "join.certificate", scope).flatMap(c -> certificate(c, scope))
                : Optional.of(new Certificate(CERTIFICATE_DIR, Optional.empty()));
        boolean http = j.containsKey("url");
        if (http == j.containsKey("vault")) {
            scope.error("join", http ? "has both url and vault; give one" : "needs url (a join service) or vault");
            return Optional.empty();
        }
        Optional<? extends JoinSettings.Service> service;
        if (http) {
            service = http(j, scope);
        } else {
            for (String key : new String[] {"token", "caFile"}) {
                if (j.containsKey(key)) {
                    scope.error("join." + key, "belongs to a join service (join.url); for Vault use join.vault."
                            + (key.equals("token") ? "auth" : key));
                }
            }
            service = Fields.map(j.get("vault"), "join.vault", scope).flatMap(v -> vault(v, scope));
        }
        if (certificate.isEmpty() || service.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new JoinSettings(deadline, certificate.get(), service.get()));
    }

    private static Optional<JoinSettings.Http> http(Map<?, ?> j, Scope scope) {
        Optional<URI> url = serviceUrl(j.get("url"), "join.url", scope);
        Optional<String> token = Fields.optional(j, "token", "join", scope, JoinSchema::secretName);
        Optional<String> caFile = Fields.optional(j, "caFile", "join", scope, JoinSchema::absolute);
        return url.map(u -> new JoinSettings.Http(u, token, caFile));
    }

    private static Optional<Certificate> certificate(Map<?, ?> c, Scope scope) {
        Fields.checkKeys(c, CERTIFICATE_KEYS, "join.certificate", scope);
        Optional<String> dir = c.containsKey("dir")
                ? absolute(c.get("dir"), "join.certificate.dir", scope)
                : Optional.of(CERTIFICATE_DIR);
        Optional<String> commonName = Fields.optional(c, "commonName", "join.certificate", scope, (v, p, s) ->
                Fields.string(v, p, s).filter(n -> matches(COMMON_NAME, n, p, "is not a host name (letters, digits, '.', '-', '_', '*', at most 64)", s)));
        return dir.map(d -> new Certificate(d, commonName));
    }

    private static Optional<JoinSettings.Vault> vault(Map<?, ?> v, Scope scope) {
        Fields.checkKeys(v, VAULT_KEYS, "join.vault", scope);
        Optional<URI> address = serviceUrl(v.get("address"), "join.vault.address", scope);
        Optional<String> caFile = Fields.optional(v, "caFile", "join.vault", scope, JoinSchema::absolute);
        Optional<VaultAuth> auth = Fields.map(v.get("auth"), "join.vault.auth", scope).flatMap(a -> auth(a, scope));
        Map<String, Integer> kv = Fields.optional(v, "kv", "join.vault", scope, JoinSchema::kv).orElse(Map.of());
        Optional<Pki> pki = Fields.optional(v, "pki", "join.vault", scope, Fields::map).flatMap(p -> {
            Fields.checkKeys(p, PKI_KEYS, "join.vault.pki", scope);
            Optional<String> mount = p.containsKey("mount") ? mount(p.get("mount"), "join.vault.pki.mount", scope) : Optional.of("pki");
            Optional<String> role = name(p.get("role"), "join.vault.pki.role", scope);
            Optional<Duration> ttl = Fields.optional(p, "ttl", "join.vault.pki", scope, Fields::duration);
            return mount.flatMap(m -> role.map(r -> new Pki(m, r, ttl)));
        });
        Optional<CertAuth> certAuth = Fields.optional(v, "certAuth", "join.vault", scope, Fields::map).flatMap(c -> {
            Fields.checkKeys(c, CERT_AUTH_KEYS, "join.vault.certAuth", scope);
            Optional<String> mount = c.containsKey("mount") ? mount(c.get("mount"), "join.vault.certAuth.mount", scope) : Optional.of("cert");
            Optional<String> role = name(c.get("role"), "join.vault.certAuth.role", scope);
            return mount.flatMap(m -> role.map(r -> new CertAuth(m, r)));
        });
        if (v.containsKey("certAuth") && !v.containsKey("pki")) {
            scope.error("join.vault.certAuth", "needs join.vault.pki: the certificate it logs in with is the one pki signs");
        }
        if (address.isEmpty() || auth.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new JoinSettings.Vault(address.get(), caFile, auth.get(), kv, pki, certAuth));
    }

    private static Optional<VaultAuth> auth(Map<?, ?> a, Scope scope) {
        String path = "join.vault.auth";
        Optional<String> method = Fields.string(a.get("method"), path + ".method", scope).filter(m -> {
            boolean known = Set.of("approle", "aws", "gcp", "azure").contains(m);
            if (!known) {
                scope.error(path + ".method", Fields.show(m) + " is not an auth method (use approle, aws, gcp or azure)");
            }
            return known;
        });
        if (method.isEmpty()) {
            return Optional.empty();
        }
        boolean approle = method.get().equals("approle");
        Fields.checkKeys(a, approle ? AUTH_KEYS : CLOUD_AUTH_KEYS, path, scope);
        Optional<String> mount = a.containsKey("mount") ? mount(a.get("mount"), path + ".mount", scope) : method;
        Optional<String> role = name(a.get("role"), path + ".role", scope);
        if (!approle) {
            return mount.flatMap(m -> role.map(r -> new CloudLogin(method.get(), m, r)));
        }
        Optional<String> roleId = secretName(a.get("roleId"), path + ".roleId", scope);
        Optional<String> secretId = secretName(a.get("secretId"), path + ".secretId", scope);
        boolean wrapped = Fields.optional(a, "wrapped", path, scope, Fields::bool).orElse(false);
        if (mount.isEmpty() || role.isEmpty() || roleId.isEmpty() || secretId.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new AppRole(mount.get(), role.get(), roleId.get(), secretId.get(), wrapped));
    }

    private static Optional<Map<String, Integer>> kv(Object value, String path, Scope scope) {
        return Fields.map(value, path, scope).map(m -> {
            Map<String, Integer> out = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                String at = path + "." + Fields.key(k);
                Optional<String> mount = mount(Fields.key(k), at, scope);
                if (!(v instanceof Integer version) || (version != 1 && version != 2)) {
                    scope.error(at, "must be the KV version, 1 or 2");
                } else {
                    mount.ifPresent(name -> out.put(name, version));
                }
            });
            return out;
        });
    }

    /**
     * https:// anywhere; http:// only to this machine, where nothing travels on a network.
     * Not shown in errors: a URL may carry credentials.
     */
    private static Optional<URI> serviceUrl(Object value, String path, Scope scope) {
        return Fields.url(value, path, scope).filter(uri -> {
            if (uri.getRawUserInfo() != null) {
                scope.error(path, "must not hold credentials (user:password@); name them with a secret");
                return false;
            }
            boolean ok = uri.getScheme().equals("https") || LOOPBACK.matcher(uri.getHost()).matches();
            if (!ok) {
                scope.error(path, "plain http:// is refused except to a loopback address (use https://)");
            }
            return ok;
        });
    }

    /** A mount path: names separated by "/", as Vault mounts may be nested ({@code team/kv}). */
    private static Optional<String> mount(Object value, String path, Scope scope) {
        return Fields.string(value, path, scope).filter(m -> {
            boolean ok = !m.isEmpty() && Arrays.stream(m.split("/", -1)).allMatch(p -> NAME.matcher(p).matches());
            if (!ok) {
                scope.error(path, "is not a mount path (names of letters, digits, '_', '.', '-' and '@', separated by /)");
            }
            return ok;
        });
    }

    private static Optional<String> name(Object value, String path, Scope scope) {
        return Fields.string(value, path, scope)
                .filter(n -> matches(NAME, n, path, "is not a role name (letters, digits, '_', '.', '-' and '@')", scope));
    }

    private static Optional<String> secretName(Object value, String path, Scope scope) {
        return Fields.string(value, path, scope).filter(n -> {
            if (!Fields.secretName(n)) {
                scope.error(path, "is not a secret name (" + Fields.SECRET_NAME_RULE + "); it names an entry of secrets");
            }
            return Fields.secretName(n);
        });
    }

    private static Optional<String> absolute(Object value, String path, Scope scope) {
        return Fields.string(value, path, scope).filter(p -> {
            if (!Fields.plainAbsolute(p)) {
                scope.error(path, Fields.PATH_RULE);
            }
            return Fields.plainAbsolute(p);
        });
    }

    private static boolean matches(Pattern pattern, String value, String path, String rule, Scope scope) {
        boolean ok = pattern.matcher(value).matches();
        if (!ok) {
            scope.error(path, Fields.show(value) + " " + rule);
        }
        return ok;
    }
}
