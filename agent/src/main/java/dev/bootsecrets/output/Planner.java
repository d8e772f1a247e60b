package dev.bootsecrets.output;

import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.config.Config;
import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.Declarations.FileDecl;
import dev.bootsecrets.fs.Accounts;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.Paths;
import dev.bootsecrets.plan.Plan;
import dev.bootsecrets.plan.PlanException;
import dev.bootsecrets.plan.Secrets;
import dev.bootsecrets.secret.Secret;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The plan stage: every output of the run as a {@link FileIntent}, validated as a whole.
 * Any error fails the whole plan, so a bad declaration means nothing is written.
 */
public final class Planner {
    private Planner() {}

    /** @param joined the join stage's secrets by declared name (empty without a join) */
    public static Plan plan(
            Config config, InstanceMetadata metadata, Map<String, Secret> joined, TargetRoot root, Accounts accounts)
            throws PlanException {
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Declarations declared = config.declarations();

        Map<String, Secret> secrets =
                Secrets.resolve(declared.secrets(), referencedSecrets(declared), metadata, joined, root, errors);

        List<FileIntent> intents = new ArrayList<>();
        intents.addAll(SshKeys.plan(sshKeysByUser(config, metadata), accounts, errors, warnings));
        intents.addAll(Files.plan(declared.files(), secrets, accounts, errors));

        Map<String, FileIntent> byPath = new HashMap<>();
        for (FileIntent intent : intents) {
            FileIntent other = byPath.putIfAbsent(intent.path(), intent);
            if (other != null) {
                errors.add(intent.source() + ": " + intent.path() + " is also written by " + other.source());
            }
        }
        if (!errors.isEmpty()) {
            throw new PlanException(errors);
        }
        return new Plan(intents, warnings);
    }

    /**
     * The checks that need no machine: paths, secret references, inline values. For
     * {@code bootsecrets check}; a run does these and more in {@link #plan}.
     */
    public static void check(Declarations declared, List<String> errors, List<String> warnings) {
        Set<String> names = new TreeSet<>();
        for (Declarations.SecretDecl secret : declared.secrets()) {
            names.add(secret.name());
            if (secret.source() instanceof Declarations.Source.Inline && secret.origin().fromUserData()) {
                warnings.add(secret.origin() + ": inline value; every reader of the metadata service can see it"
                        + " (prefer metadata:, file: or a join source)");
            }
        }
        for (FileDecl file : declared.files()) {
            Paths.writableProblem(file.path()).ifPresent(p -> errors.add(file.origin() + ": " + file.path() + " " + p));
            if (file.content() instanceof Declarations.Content.SecretRef ref && !names.contains(ref.name())) {
                errors.add(file.origin() + ": secret " + ref.name() + " is not declared under secrets");
            }
        }
    }

    /** Secrets that some output refers to; only these are read. */
    static Set<String> referencedSecrets(Declarations declared) {
        Set<String> names = new TreeSet<>();
        for (FileDecl file : declared.files()) {
            if (file.content() instanceof Declarations.Content.SecretRef ref) {
                names.add(ref.name());
            }
        }
        return names;
    }

    /** The cloud's keys go to the default user; declared keys to their users. */
    static Map<String, List<SshKeys.Declared>> sshKeysByUser(Config config, InstanceMetadata metadata) {
        Map<String, List<SshKeys.Declared>> byUser = new LinkedHashMap<>();
        if (config.settings().metadataKeys()) {
            metadata.sshKeys().forEach((user, keys) -> {
                String target = user.equals(InstanceMetadata.DEFAULT_USER) ? config.settings().defaultUser() : user;
                for (String key : keys) {
                    byUser.computeIfAbsent(target, u -> new ArrayList<>())
                            .add(new SshKeys.Declared(key, metadata.provider() + " metadata"));
                }
            });
        }
        for (Declarations.SshDecl decl : config.declarations().ssh()) {
            for (String key : decl.keys()) {
                byUser.computeIfAbsent(decl.user(), u -> new ArrayList<>())
                        .add(new SshKeys.Declared(key, decl.origin().toString()));
            }
        }
        return byUser;
    }
}
