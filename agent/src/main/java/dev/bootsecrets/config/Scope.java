package dev.bootsecrets.config;

import dev.bootsecrets.config.Settings.UserDataPolicy;
import java.util.Optional;

/**
 * Where the mapping being read came from: the layer ({@code user-data} or a config file's
 * path), the prefix of its fields ({@code bootsecrets.}, {@code part[1].}), and for user-data
 * the image's policy, which its declarations must keep to.
 */
record Scope(String layer, String prefix, Optional<UserDataPolicy> policy, Errors errors) {

    static Scope configFile(String layer, Errors errors) {
        return new Scope(layer, "", Optional.empty(), errors);
    }

    static Scope userData(String prefix, UserDataPolicy policy, Errors errors) {
        return new Scope(Origin.USER_DATA, prefix, Optional.of(policy), errors);
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

    /** User-data may write only under the policy's writePaths. */
    void checkWritable(String field, String path) {
        policy.ifPresent(p -> {
            if (!p.allows(path)) {
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

    static boolean isRoot(String name) {
        return UserDataPolicy.isRoot(name);
    }
}
