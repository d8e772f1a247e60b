package dev.bootsecrets.output;

import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.config.Config;
import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.Declarations.FileDecl;
import dev.bootsecrets.config.Settings.UserDataPolicy;
import dev.bootsecrets.fs.Accounts;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.plan.Content;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.Manifest;
import dev.bootsecrets.plan.Paths;
import dev.bootsecrets.plan.Plan;
import dev.bootsecrets.plan.PlanException;
import dev.bootsecrets.plan.Secrets;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The plan stage: every output of the run as a {@link FileIntent}, validated as a whole, and
 * what earlier runs wrote that is no longer declared, to be taken back. Any error fails the
 * whole plan, so a bad declaration means nothing is written.
 */
public final class Planner {
    private Planner() {}

    /** @param joined the join stage's secrets by declared name (empty without a join) */
    public static Plan plan(
            Config config, InstanceMetadata metadata, Map<String, Secret> joined, TargetRoot root, Accounts accounts)
            throws PlanException {
        return plan(config, metadata, joined, root, accounts, SystemdCreds.DEFAULT);
    }

    static Plan plan(Config config, InstanceMetadata metadata, Map<String, Secret> joined, TargetRoot root,
            Accounts accounts, SystemdCreds systemdCreds) throws PlanException {
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Declarations declared = config.declarations();
        UserDataPolicy policy = config.settings().userData();
        Manifest previous = Manifest.read(root, warnings);

        Set<String> referenced = referencedSecrets(declared);
        referenced.removeAll(undeclared(declared, errors));
        Map<String, Secret> secrets = Secrets.resolve(declared.secrets(), referenced, metadata, joined, root, errors);

        Map<String, Manifest.Entry> tracked = new HashMap<>();
        List<FileIntent> intents = new ArrayList<>();
        intents.addAll(sshKeys(config, metadata, root, accounts, previous, tracked, errors, warnings));
        for (FileIntent file : Files.plan(declared.files(), secrets, accounts, errors)) {
            intents.add(file);
            if (file.content() instanceof Content.Whole) {
                tracked.put(file.path(), Manifest.Entry.file(file.path(), file.kind()));
            }
        }
        intents.addAll(Registries.plan(declared.registries(), config.settings().registryAuth(), secrets, root, policy,
                previous, tracked, errors, warnings));
        intents.addAll(Credentials.plan(declared.credentials(), secrets, root, policy, systemdCreds, tracked, errors, warnings));
        intents.addAll(EnvFiles.plan(declared.env(), secrets, policy, tracked, errors));
        intents.addAll(PodmanSecrets.plan(declared.podman(), secrets, policy, tracked, errors));

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
        intents.addAll(takeBack(previous, byPath.keySet(), root, tracked, warnings));
        return new Plan(intents, warnings, previous, tracked, secrets);
    }

    /**
     * What earlier runs wrote and this one no longer declares: files bootsecrets made are
     * removed, its entries in shared auth files taken out. SSH blocks are handled with the keys.
     */
    private static List<FileIntent> takeBack(
            Manifest previous, Set<String> planned, TargetRoot root, Map<String, Manifest.Entry> tracked, List<String> warnings) {
        List<FileIntent> out = new ArrayList<>();
        for (Manifest.Entry before : previous.entries()) {
            if (planned.contains(before.path()) || before.kind().equals(SshKeys.KIND)) {
                continue;
            }
            if (Paths.problem(before.path()).isPresent()) {
                warnings.add("the manifest lists " + before.path() + ", which is not a plain path; left as it is");
            } else if (before.kind().equals(Registries.KIND)) {
                Registries.takeBack(before, root, tracked).ifPresent(out::add);
            } else if (before.created()) {
                out.add(FileIntent.removal(before.path(), before.kind()));
            }
        }
        return out;
    }

    /**
     * authorized_keys of every user with keys, and of every user bootsecrets gave keys before
     * and gives none now: their block is emptied, which removes it.
     */
    private static List<FileIntent> sshKeys(
            Config config, InstanceMetadata metadata, TargetRoot root, Accounts accounts, Manifest previous,
            Map<String, Manifest.Entry> tracked, List<String> errors, List<String> warnings) {
        Map<String, List<SshKeys.Declared>> byUser = sshKeysByUser(config, metadata, accounts, errors, warnings);
        Set<String> revoked = new TreeSet<>();
        for (Manifest.Entry before : previous.entries()) {
            if (before.kind().equals(SshKeys.KIND) && before.entries().size() == 1 && !byUser.containsKey(before.entries().get(0))) {
                String user = before.entries().get(0);
                Optional<String> home = accounts.user(user).map(a -> a.home() + "/.ssh/authorized_keys");
                try {
                    if (home.isPresent() && home.get().equals(before.path()) && root.exists(before.path())) {
                        byUser.put(user, List.of());
                        revoked.add(user);
                    }
                } catch (IOException e) {
                    warnings.add("ssh keys for " + user + " not revoked: " + before.path() + ": " + e.getMessage());
                }
            }
        }
        List<FileIntent> intents = SshKeys.plan(byUser, accounts, root, errors, warnings);
        for (FileIntent intent : intents) {
            String user = intent.owner().user();
            if (!revoked.contains(user)) {
                tracked.put(intent.path(), new Manifest.Entry(intent.path(), SshKeys.KIND, false, List.of(user), List.of()));
            }
        }
        return intents;
    }

    /** Whether the policy lets user-data and metadata give {@code user} keys, by name and, for an account the machine has, by uid. */
    private static boolean allowsSsh(UserDataPolicy policy, String user, Accounts accounts) {
        return accounts.user(user).map(a -> policy.allowsSsh(user, a.uid())).orElseGet(() -> policy.allowsSsh(user));
    }

    /**
     * The checks that need no machine: paths, secret references, inline values. For
     * {@code bootsecrets check}; a run does these and more in {@link #plan}.
     */
    public static void check(Declarations declared, List<String> errors, List<String> warnings) {
        for (Declarations.SecretDecl secret : declared.secrets()) {
            if (secret.source() instanceof Declarations.Source.Inline && secret.origin().fromUserData()) {
                warnings.add(secret.origin() + ": inline value; every reader of the metadata service can see it"
                        + " (prefer metadata:, file: or a join source)");
            }
        }
        for (FileDecl file : declared.files()) {
            Paths.writableProblem(file.path()).ifPresent(p -> errors.add(file.origin() + ": " + file.path() + " " + p));
        }
        undeclared(declared, errors);
    }

    /** Secrets referred to but not declared, each reference an error naming the entry that makes it. */
    private static Set<String> undeclared(Declarations declared, List<String> errors) {
        Set<String> names = new TreeSet<>();
        declared.secrets().forEach(s -> names.add(s.name()));
        Set<String> missing = new TreeSet<>();
        references(declared).forEach((field, secret) -> {
            if (!names.contains(secret)) {
                errors.add(field + ": secret " + secret + " is not declared under secrets");
                missing.add(secret);
            }
        });
        return missing;
    }

    /** Secrets that some output refers to; only these are read. */
    static Set<String> referencedSecrets(Declarations declared) {
        return new TreeSet<>(references(declared).values());
    }

    /** Every reference to a named secret, by the field that makes it (in declaration order). */
    private static Map<String, String> references(Declarations declared) {
        Map<String, String> refs = new LinkedHashMap<>();
        declared.references().forEach(r -> refs.put(r.field(), r.secret()));
        return refs;
    }

    /**
     * The cloud's keys go to the user the cloud names, or the default user; declared keys to
     * their users. A user the cloud names but the machine lacks (a GCP project-wide key of
     * someone else's, an Azure admin user the image does not have) is skipped with a warning:
     * the image, not the cloud, decides which accounts exist. Both keep to userData.sshUsers:
     * the cloud's keys for a user it refuses are left out with a warning, user-data's are errors.
     */
    static Map<String, List<SshKeys.Declared>> sshKeysByUser(
            Config config, InstanceMetadata metadata, Accounts accounts, List<String> errors, List<String> warnings) {
        Map<String, List<SshKeys.Declared>> byUser = new LinkedHashMap<>();
        UserDataPolicy policy = config.settings().userData();
        if (config.settings().metadataKeys()) {
            metadata.sshKeys().forEach((user, keys) -> {
                boolean named = !user.equals(InstanceMetadata.DEFAULT_USER);
                if (named && accounts.user(user).isEmpty()) {
                    warnings.add(metadata.provider() + " metadata: SSH keys for " + user
                            + " skipped: no such user in the target root's /etc/passwd");
                    return;
                }
                String target = named ? user : config.settings().defaultUser();
                if (!allowsSsh(policy, target, accounts)) {
                    warnings.add(metadata.provider() + " metadata: SSH keys for " + target + " skipped: "
                            + policy.sshRefusal(target));
                    return;
                }
                for (String key : keys) {
                    byUser.computeIfAbsent(target, u -> new ArrayList<>())
                            .add(new SshKeys.Declared(key, metadata.provider() + " metadata"));
                }
            });
        }
        for (Declarations.SshDecl decl : config.declarations().ssh()) {
            if (decl.origin().fromUserData() && !allowsSsh(policy, decl.user(), accounts)) {
                errors.add(decl.origin() + ": " + policy.sshRefusal(decl.user()));
                continue;
            }
            for (String key : decl.keys()) {
                byUser.computeIfAbsent(decl.user(), u -> new ArrayList<>())
                        .add(new SshKeys.Declared(key, decl.origin().toString()));
            }
        }
        return byUser;
    }
}
