package dev.bootsecrets.config;

import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.Settings.UserDataPolicy;
import java.util.List;
import java.util.Optional;

/**
 * Where the mapping being read came from: the layer ({@code user-data} or a config file's
 * path), the prefix of its fields ({@code bootsecrets.}, {@code part[1].}), and for user-data
 * the image's policy, which its declarations must keep to, the paths the config reserves
 * for itself (its join material, its credentials) and what user-data may still decode.
 */
record Scope(String layer, String prefix, Optional<UserDataPolicy> policy, List<String> reserved, Budget budget,
        Errors errors) {

    static Scope configFile(String layer, Errors errors) {
        return new Scope(layer, "", Optional.empty(), List.of(), Budget.unlimited(), errors);
    }

    /** @param reserved paths (or directories, ending in "/") the config writes that user-data never may */
    static Scope userData(String prefix, UserDataPolicy policy, List<String> reserved, Budget budget, Errors errors) {
        return new Scope(Origin.USER_DATA, prefix, Optional.of(policy), List.copyOf(reserved), budget, errors);
    }

    boolean userData() {
        return policy.isPresent();
    }

    /** {@code layer: prefix+field: message}. */
    void error(String field, String message) {
        errors.add(where(field) + ": " + message);
    }

    /** {@code layer: prefix+field}, the start of an error about the field. */
    String where(String field) {
        return layer + ": " + prefix + field;
    }

    Origin origin(String field) {
        return userData() ? Origin.userData(prefix + field) : Origin.file(layer, prefix + field);
    }

    /** User-data may write only under the policy's writePaths, never what the agent or the config keep for themselves. */
    void checkWritable(String field, String path) {
        policy.ifPresent(p -> {
            if (UserDataPolicy.covers(path, reserved)) {
                error(field, path + " is the config's own (its join key and certificate, or a credential it declares);"
                        + " user-data never writes it");
            } else if (!p.allows(path)) {
                error(field, p.refusal(path));
            }
        });
    }

    /** User-data may name an owner or group other than root only if the policy allows it. */
    void checkOwner(String field, Optional<String> name) {
        policy.ifPresent(p -> {
            if (!p.owners() && name.isPresent() && !isRoot(name.get())) {
                error(field, "user-data may not name owners or groups other than root (userData.owners is false)");
            }
        });
    }

    /** User-data may give SSH keys only to the users the policy's sshUsers allow. */
    void checkSshUser(String field, String user) {
        policy.ifPresent(p -> {
            if (!p.allowsSsh(user)) {
                error(field, p.sshRefusal(user));
            }
        });
    }

    /** User-data's secrets may use only the source kinds the policy lists, and file: only under readPaths. */
    void checkSource(String field, Source source) {
        policy.ifPresent(p -> {
            if (!p.allowsSource(source.kind())) {
                error(field, "user-data may not use " + source.kind() + (source instanceof Source.Inline ? "" : ":")
                        + " sources (userData.sources does not list " + source.kind() + ")");
            } else if (source instanceof Source.FromFile f && !p.allowsRead(f.path())) {
                error(field, f.path() + " is outside the paths user-data may read (userData.readPaths: "
                        + (p.readPaths().isEmpty() ? "none" : String.join(", ", p.readPaths())) + ")");
            }
        });
    }

    static boolean isRoot(String name) {
        return UserDataPolicy.isRoot(name);
    }
}
