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
import dev.bootsecrets.plan.Ownership;
import dev.bootsecrets.plan.Paths;
import dev.bootsecrets.plan.Placement;
import dev.bootsecrets.plan.Plan;
import dev.bootsecrets.plan.PlanException;
import dev.bootsecrets.plan.Secrets;
import dev.bootsecrets.secret.Redaction;
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
        return plan(config, metadata, joined, List.of(), root, accounts);
    }

    /** @param material the join's files (the machine's key and certificate), planned first */
    public static Plan plan(Config config, InstanceMetadata metadata, Map<String, Secret> joined,
            List<FileIntent> material, TargetRoot root, Accounts accounts) throws PlanException {
        return plan(config, metadata, joined, material, root, accounts, SystemdCreds.DEFAULT);
    }

    static Plan plan(Config config, InstanceMetadata metadata, Map<String, Secret> joined, List<FileIntent> material,
            TargetRoot root, Accounts accounts, SystemdCreds systemdCreds) throws PlanException {
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Declarations declared = config.declarations();
        Manifest previous = Manifest.read(root, warnings);
        Placement placement = Placement.of(config, Placement.Resolver.in(root), accounts);

        Set<String> referenced = referencedSecrets(declared);
        referenced.removeAll(undeclared(declared, errors));
        judgeFileSources(declared, referenced, placement, errors);
        Map<String, Secret> secrets = Secrets.resolve(declared.secrets(), referenced, metadata, joined,
                (decl, file, max) -> readPlaced(root, placement, decl, file, max), errors);

        Map<String, Manifest.Entry> tracked = new HashMap<>();
        List<FileIntent> intents = new ArrayList<>(material);
        intents.addAll(sshKeys(config, metadata, root, accounts, previous, tracked, errors, warnings));
        for (FileIntent file : Files.plan(declared.files(), secrets, accounts, errors)) {
            intents.add(file);
            if (file.content() instanceof Content.Whole) {
                tracked.put(file.path(), Manifest.Entry.file(file.path(), file.kind()));
            }
        }
        intents.addAll(Registries.plan(declared.registries(), config.settings().registryAuth(), secrets, root,
                previous, tracked, errors, warnings));
        intents.addAll(Credentials.plan(declared.credentials(), secrets, root, systemdCreds, tracked, errors, warnings));
        intents.addAll(EnvFiles.plan(declared.env(), secrets, tracked, errors));
        intents.addAll(PodmanSecrets.plan(declared.podman(), secrets, accounts, tracked, errors));

        // One decision for every output, on the place it really lands: no kind can skip it.
        List<FileIntent> placed = placement.place(intents, errors);
        retrack(placed, tracked);
        Map<String, FileIntent> byPath = new HashMap<>();
        for (FileIntent intent : placed) {
            FileIntent other = byPath.putIfAbsent(intent.path(), intent);
            if (other != null) {
                errors.add(intent.source() + ": " + intent.place() + " is also written by " + other.source()
                        + (other.place().moved() ? " (as " + other.place().spelled() + ")" : ""));
            }
        }
        if (!errors.isEmpty()) {
            throw new PlanException(errors);
        }
        placed.addAll(takeBack(previous, byPath.keySet(), root, placement, tracked, warnings));
        return new Plan(placed, warnings, previous, tracked, secrets);
    }

    /**
     * The {@code file:} sources user-data declares that no output reads here (the join reads
     * them later): judged now all the same, on where they really read from. Those that outputs
     * use are judged as they are read.
     */
    private static void judgeFileSources(
            Declarations declared, Set<String> read, Placement placement, List<String> errors) {
        for (Declarations.SecretDecl decl : declared.secrets()) {
            if (decl.source() instanceof Declarations.Source.FromFile f && decl.origin().fromUserData()
                    && !read.contains(decl.name())) {
                try {
                    placement.placeRead(f.path(), true);
                } catch (IOException e) {
                    errors.add(decl.origin() + " (secrets." + decl.name() + "): " + e.getMessage());
                }
            }
        }
    }

    /** A {@code file:} source read at the place judged for it, reached without following any link. */
    private static Optional<byte[]> readPlaced(TargetRoot root, Placement placement, Declarations.SecretDecl decl,
            Declarations.Source.FromFile file, int maxBytes) throws IOException {
        return root.readSource(placement.placeRead(file.path(), decl.origin().fromUserData()), maxBytes);
    }

    /** The manifest entries of outputs that moved, under the real path the run writes and records. */
    private static void retrack(List<FileIntent> placed, Map<String, Manifest.Entry> tracked) {
        for (FileIntent intent : placed) {
            if (intent.place().moved() && tracked.containsKey(intent.place().spelled())) {
                tracked.put(intent.path(), tracked.remove(intent.place().spelled()).withPath(intent.path()));
            }
        }
    }

    /**
     * What earlier runs wrote and this one no longer declares: files bootsecrets made are
     * removed, its entries in shared auth files taken out. SSH blocks are handled with the keys.
     */
    private static List<FileIntent> takeBack(Manifest previous, Set<String> planned, TargetRoot root, Placement placement,
            Map<String, Manifest.Entry> tracked, List<String> warnings) {
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
        // A place that can no longer be reached safely (a link planted since) is left alone, not an error:
        // what is no longer declared must never stop what is.
        List<String> refused = new ArrayList<>();
        List<FileIntent> placed = new ArrayList<>();
        for (FileIntent removal : placement.place(out, refused)) {
            if (!planned.contains(removal.path())) {
                placed.add(removal);
            }
        }
        refused.forEach(r -> warnings.add("not taken back: " + r));
        return placed;
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

    /** Why a value of one to three characters gets a warning (docs/security.md, "Short values"). */
    static final String TOO_SHORT = "value shorter than 4 characters, too short to mask safely in messages:"
            + " it is not masked inside the agent's own names (paths, sources, provider) where they spell it"
            + " (docs/security.md, \"Short values\")";

    /**
     * The checks that need no machine: paths, secret references, inline values. For
     * {@code bootsecrets check}; a run does these and more in {@link #plan}.
     *
     * @param asSpelled also judge the places of declared files and file: sources as they are
     *                  spelled, for want of a root to resolve them in ({@code check} without
     *                  {@code --root}; with it, and in a run, they are judged where they really land)
     */
    public static void check(Config config, boolean asSpelled, List<String> errors, List<String> warnings) {
        Declarations declared = config.declarations();
        for (Declarations.SecretDecl secret : declared.secrets()) {
            if (secret.source() instanceof Declarations.Source.Inline && secret.origin().fromUserData()) {
                warnings.add(secret.origin() + ": inline value; every reader of the metadata service can see it"
                        + " (prefer metadata:, file: or a join source)");
            }
            if (secret.source() instanceof Declarations.Source.Inline inline && Redaction.tooShort(inline.value())) {
                warnings.add(secret.origin() + ": " + TOO_SHORT);
            }
        }
        List<FileIntent> files = new ArrayList<>();
        for (FileDecl file : declared.files()) {
            Optional<String> problem = Paths.problem(file.path());
            problem.ifPresent(p -> errors.add(file.origin() + ": " + file.path() + " " + p));
            if (problem.isEmpty()) {
                files.add(new FileIntent(file.path(), Files.KIND, new Content.Absent(), Ownership.ROOT, 0,
                        file.origin().toString(), file.origin().fromUserData(), List.of()));
            }
            if (file.content() instanceof Declarations.Content.Literal literal && Redaction.tooShort(literal.bytes())) {
                warnings.add(file.origin() + ": content " + TOO_SHORT);
            }
        }
        if (asSpelled) {
            Placement offline = Placement.of(config, Placement.Resolver.AS_SPELLED, Accounts.rootOnly());
            offline.place(files, errors);
            judgeFileSources(declared, Set.of(), offline, errors);
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
