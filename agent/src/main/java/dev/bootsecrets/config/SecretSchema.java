package dev.bootsecrets.config;

import dev.bootsecrets.config.Declarations.Encoding;
import dev.bootsecrets.config.Declarations.SecretDecl;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.secret.Secret;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The section's {@code secrets:}: each secret's inline value or its {@code from:} source, and their limits. */
final class SecretSchema {
    static final int SECRET_MAX_BYTES = 65536;
    private static final Set<String> SECRET_KEYS = Set.of("value", "from", "encoding", "maxBytes");
    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]{0,17}");
    private static final String SOURCES =
            "(use value, file:PATH, metadata:attributes/NAME, join:NAME, vault:MOUNT/PATH#KEY, aws-secretsmanager:NAME,"
            + " aws-ssm:/PARAMETER, gcp-secretmanager:secrets/NAME or azure-keyvault:VAULT/NAME)";

    private SecretSchema() {}

    static List<SecretDecl> secrets(Object value, Scope scope) {
        List<SecretDecl> out = new ArrayList<>();
        Fields.entries(value, "secrets", scope, (name, path, v) -> {
            if (!Fields.secretName(name)) {
                scope.error(path, "is not a secret name (" + Fields.SECRET_NAME_RULE + ")");
                return;
            }
            Fields.map(v, path, scope).ifPresent(entry -> {
                Fields.checkKeys(entry, SECRET_KEYS, path, scope);
                int maxBytes = Fields.optional(entry, "maxBytes", path, scope, Fields::size).orElse(SECRET_MAX_BYTES);
                Encoding encoding = Fields.optional(entry, "encoding", path, scope, SecretSchema::encoding).orElse(Encoding.NONE);
                allowed(source(entry, path, encoding, maxBytes, scope), path, scope).ifPresent(
                        source -> out.add(new SecretDecl(name, source, encoding, maxBytes, scope.origin(path))));
            });
        });
        return out;
    }

    private static Optional<Encoding> encoding(Object value, String path, Scope scope) {
        return Fields.string(value, path, scope).flatMap(e -> switch (e) {
            case "none" -> Optional.of(Encoding.NONE);
            case "base64" -> Optional.of(Encoding.BASE64);
            default -> {
                scope.error(path, Fields.show(e) + " is not an encoding (use none or base64)");
                yield Optional.empty();
            }
        });
    }

    private static Optional<Source> source(Map<?, ?> entry, String path, Encoding encoding, int maxBytes, Scope scope) {
        boolean inline = entry.containsKey("value");
        if (inline == entry.containsKey("from")) {
            scope.error(path, (inline ? "has both value and from; give one " : "needs value or from ") + SOURCES);
            return Optional.empty();
        }
        if (inline) {
            return Fields.bytes(entry.get("value"), path + ".value", scope)
                    .filter(v -> inlineFits(v, encoding, maxBytes, path + ".value", scope))
                    .map(Source.Inline::new);
        }
        return Fields.string(entry.get("from"), path + ".from", scope).flatMap(from -> reference(from, path + ".from", scope));
    }

    /** The source, if user-data's policy lets it use it (the error recorded if not). */
    private static Optional<Source> allowed(Optional<Source> source, String path, Scope scope) {
        source.ifPresent(s -> scope.checkSource(path, s));
        return source;
    }

    private static boolean inlineFits(Secret value, Encoding encoding, int maxBytes, String path, Scope scope) {
        if (value.length() > maxBytes) {
            scope.error(path, value.length() + " bytes is over maxBytes (" + maxBytes + ")");
            return false;
        }
        if (encoding == Encoding.BASE64 && Fields.base64(value.utf8()).isEmpty()) {
            scope.error(path, "is not valid base64 (encoding: base64)");
            return false;
        }
        return true;
    }

    /** {@code file:PATH}, {@code metadata:attributes/NAME}, {@code join:NAME} or {@code vault:MOUNT/PATH#KEY}; errors show only the part before the colon. */
    private static Optional<Source> reference(String from, String path, Scope scope) {
        int colon = from.indexOf(':');
        String scheme = colon < 0 ? "" : from.substring(0, colon);
        String rest = from.substring(colon + 1);
        switch (scheme) {
            case "file" -> {
                if (Fields.plainAbsolute(rest)) {
                    return Optional.of(new Source.FromFile(rest));
                }
                scope.error(path, "file: needs an absolute file path (file:/PATH)");
            }
            case "metadata" -> {
                String name = rest.startsWith("attributes/") ? rest.substring("attributes/".length()) : "";
                if (!name.isEmpty() && name.chars().noneMatch(Character::isISOControl)) {
                    return Optional.of(new Source.FromMetadata(name));
                }
                scope.error(path, "metadata: needs an attribute (metadata:attributes/NAME)");
            }
            case "join" -> {
                if (Fields.secretName(rest)) {
                    return Optional.of(new Source.FromJoin(rest));
                }
                scope.error(path, "join: needs the name the join service gives the secret (join:NAME; "
                        + Fields.SECRET_NAME_RULE + ")");
            }
            case "vault" -> {
                Optional<Source> vault = vault(rest);
                if (vault.isPresent()) {
                    return vault;
                }
                scope.error(path, "vault: needs a mount, a path and a key (vault:MOUNT/PATH#KEY)");
            }
            case Source.AWS_SECRETS_MANAGER, Source.AWS_SSM, Source.GCP_SECRET_MANAGER, Source.AZURE_KEY_VAULT -> {
                // The instance's identity may read far more than this machine should have: only
                // config names these, unless the image's policy lets user-data.
                if (scope.policy().isPresent() && !scope.policy().get().allowsSource(scheme)) {
                    scope.error(path, "user-data may not use " + scheme + ": sources (userData.sources does not list "
                            + scheme + "; only the image's or the machine's config may name them)");
                    return Optional.empty();
                }
                Optional<Source> cloud = CloudSources.parse(scheme, rest);
                if (cloud.isPresent()) {
                    return cloud;
                }
                scope.error(path, scheme + ": is not of the form " + CloudSources.form(scheme));
            }
            case "" -> scope.error(path, "is not a source " + SOURCES);
            // only what looks like a URL scheme is shown: a value put here by mistake must not be
            default -> scope.error(path, "unknown source" + (SCHEME.matcher(scheme).matches() ? " \"" + scheme + "\" " : " ") + SOURCES);
        }
        return Optional.empty();
    }

    /** A character the path of Vault's URL may hold as it is (java.net.URI's rule), and no '%', as nothing here is escaped. */
    private static boolean inUrlPath(int c) {
        return c > 0x20 && c != 0x7f && "?%#\"<>\\^`{|}".indexOf(c) < 0 && !Character.isSpaceChar(c) && !Character.isISOControl(c);
    }

    /** {@code MOUNT/PATH#KEY}: at least two plain path parts, and a key without control characters. */
    private static Optional<Source> vault(String rest) {
        int hash = rest.lastIndexOf('#');
        if (hash < 0) {
            return Optional.empty();
        }
        String path = rest.substring(0, hash);
        String key = rest.substring(hash + 1);
        String[] parts = path.split("/", -1);
        boolean plain = parts.length >= 2 && Arrays.stream(parts)
                .allMatch(p -> !p.isEmpty() && !p.equals(".") && !p.equals("..") && p.chars().allMatch(SecretSchema::inUrlPath));
        if (!plain || key.isEmpty() || key.chars().anyMatch(Character::isISOControl)) {
            return Optional.empty();
        }
        return Optional.of(new Source.FromVault(path, key));
    }
}
