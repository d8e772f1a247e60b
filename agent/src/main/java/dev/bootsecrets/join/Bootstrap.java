package dev.bootsecrets.join;

import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.Declarations.SecretDecl;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.plan.Secrets;
import dev.bootsecrets.secret.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A secret the join authenticates with (the bootstrap token, the AppRole secret_id or
 * role_id), read from its declared source like any other secret.
 *
 * @param file the file to delete once the join has succeeded: a {@code file:} source that the
 *             image's or the machine's config declared. One user-data names is never deleted,
 *             as user-data must not be able to make the agent delete files
 */
public record Bootstrap(Secret value, Optional<String> file) {

    /** @param field the setting that names the secret ({@code join.token}), for messages */
    public static Bootstrap read(
            String name, String field, Declarations declared, InstanceMetadata metadata, TargetRoot root)
            throws JoinException {
        SecretDecl decl = declared.secrets().stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new JoinException(field + ": secret " + name + " is not declared under secrets"));
        if (decl.source() instanceof Source.FromJoin || decl.source() instanceof Source.FromVault) {
            throw new JoinException(field + ": secret " + name + " cannot come from the join it is needed for");
        }
        List<String> errors = new ArrayList<>();
        Map<String, Secret> values = Secrets.resolve(declared.secrets(), Set.of(name), metadata, Map.of(),
                // the plan stage, run before any join, judged every file: source user-data declares
                (d, f, max) -> root.read(f.path(), max), errors);
        if (!errors.isEmpty()) {
            throw new JoinException(field + ": " + String.join("; ", errors));
        }
        Optional<String> file = Optional.empty();
        if (decl.source() instanceof Source.FromFile f) {
            if (decl.origin().fromUserData()) {
                Log.notice(field + ": " + f.path() + " is named by user-data, so it is not deleted after the join");
            } else {
                file = Optional.of(f.path());
            }
        }
        return new Bootstrap(values.get(name), file);
    }
}
