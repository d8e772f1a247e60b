package dev.bootsecrets.config;

import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.Settings.UserDataPolicy;
import java.util.Optional;

/**
 * Where the mapping being read came from: the layer ({@code user-data} or a config file's
 * path), the prefix of its fields ({@code bootsecrets.}, {@code part[1].}), and for user-data
 * the image's policy, which its declarations must keep to, and what user-data may still decode.
 * What depends on the target root (where a path really lands) is judged at plan time, by
 * {@link dev.bootsecrets.plan.Placement}.
 */
record Scope(String layer, String prefix, Optional<UserDataPolicy> policy, Budget budget, Errors errors) {

    static Scope configFile(String layer, Errors errors) {
        return new Scope(layer, "", Optional.empty(), Budget.unlimited(), errors);
    }

    static Scope userData(String prefix, UserDataPolicy policy, Budget budget, Errors errors) {
        return new Scope(Origin.USER_DATA, prefix, Optional.of(policy), budget, errors);
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

    /** User-data's secrets may use only the source kinds the policy lists (where a file: source reads is judged at plan time). */
    void checkSource(String field, Source source) {
        policy.ifPresent(p -> {
            if (!p.allowsSource(source.kind())) {
                error(field, "user-data may not use " + source.kind() + (source instanceof Source.Inline ? "" : ":")
                        + " sources (userData.sources does not list " + source.kind() + ")");
            }
        });
    }

    static boolean isRoot(String name) {
        return UserDataPolicy.isRoot(name);
    }
}
