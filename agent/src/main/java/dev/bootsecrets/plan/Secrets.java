package dev.bootsecrets.plan;

import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.config.Declarations.Encoding;
import dev.bootsecrets.config.Declarations.SecretDecl;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Turns declared secrets into values, from their sources. Errors name the secret, never a value. */
public final class Secrets {
    private Secrets() {}

    /** Reads a {@code file:} source, at most {@code maxBytes}; an IOException's message says why it may not or could not be read. */
    @FunctionalInterface
    public interface Files {
        Optional<byte[]> read(SecretDecl decl, Source.FromFile file, int maxBytes) throws IOException;
    }

    /**
     * Resolves the secrets in {@code needed}; a name that is needed but not declared, or whose
     * source cannot be read, adds an error and is left out.
     *
     * @param joined what the join stage received for the secrets declared with a {@code join:}
     *               or {@code vault:} source, and what the clouds' secrets managers gave, by the
     *               declared secret's name
     */
    public static Map<String, Secret> resolve(
            List<SecretDecl> declared, Set<String> needed, InstanceMetadata metadata, Map<String, Secret> joined,
            Files files, List<String> errors) {
        Map<String, SecretDecl> byName = new HashMap<>();
        declared.forEach(d -> byName.put(d.name(), d));
        Map<String, Secret> values = new HashMap<>();
        for (String name : needed.stream().sorted().toList()) {
            SecretDecl decl = byName.get(name);
            if (decl == null) {
                errors.add("secret " + name + ": referenced but not declared under secrets");
                continue;
            }
            String field = decl.origin() + " (secrets." + name + ")";
            try {
                Optional<Secret> raw = read(decl, metadata, joined, files);
                if (raw.isEmpty()) {
                    errors.add(field + ": " + describeMissing(decl.source()));
                    continue;
                }
                Secret value = decode(raw.get(), decl.encoding(), field);
                if (value.length() > decl.maxBytes()) {
                    errors.add(field + ": " + value.length() + " bytes is over its limit of " + decl.maxBytes());
                    continue;
                }
                values.put(name, value);
            } catch (IOException | IllegalArgumentException e) {
                errors.add(field + ": " + e.getMessage());
            }
        }
        return values;
    }

    private static Optional<Secret> read(
            SecretDecl decl, InstanceMetadata metadata, Map<String, Secret> joined, Files files) throws IOException {
        return switch (decl.source()) {
            case Source.Inline inline -> Optional.of(inline.value());
            case Source.FromMetadata m -> Optional.ofNullable(metadata.attributes().get(m.attribute()));
            case Source.FromJoin j -> Optional.ofNullable(joined.get(decl.name()));
            case Source.FromVault v -> Optional.ofNullable(joined.get(decl.name()));
            case Source.FromCloud c -> Optional.ofNullable(joined.get(decl.name()));
            case Source.FromFile f -> {
                // One byte over the limit tells "too big" apart from "exactly at the limit".
                Optional<byte[]> bytes = files.read(decl, f, decl.maxBytes() + 1);
                Optional<Secret> secret = bytes.map(Secret::of);
                bytes.ifPresent(Secret::wipe);
                yield secret;
            }
        };
    }

    private static String describeMissing(Source source) {
        return switch (source) {
            case Source.Inline inline -> "has no value";
            case Source.FromMetadata m -> "metadata attribute " + m.attribute() + " is not set on this instance";
            case Source.FromFile f -> "file " + f.path() + " does not exist";
            // The join stage fails when a configured join does not give a declared secret.
            case Source.FromJoin j -> "join:" + j.name() + " but no join service is configured (join.url)";
            case Source.FromVault v -> "vault:" + v.path() + " but no Vault is configured (join.vault)";
            // Fetched before the plan is made; a failed fetch ends the run before this.
            case Source.FromCloud c -> c.reference() + " was not fetched";
        };
    }

    private static Secret decode(Secret raw, Encoding encoding, String field) {
        if (encoding == Encoding.NONE) {
            return raw;
        }
        try {
            return Secret.decodeBase64(raw);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not valid base64");
        }
    }
}
