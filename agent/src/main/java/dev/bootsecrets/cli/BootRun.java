package dev.bootsecrets.cli;

import dev.bootsecrets.cloud.GatherRequest;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.cloud.Machine;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.MetadataProvider;
import dev.bootsecrets.cloud.SecretSourceException;
import dev.bootsecrets.cloud.stage.CloudSecrets;
import dev.bootsecrets.cloud.stage.MetadataLockdown;
import dev.bootsecrets.cloud.stage.Providers;
import dev.bootsecrets.config.Config;
import dev.bootsecrets.config.ConfigException;
import dev.bootsecrets.config.ConfigLoader;
import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.JoinSettings;
import dev.bootsecrets.config.Lockdown;
import dev.bootsecrets.config.Offline;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.config.UserData;
import dev.bootsecrets.fs.Accounts;
import dev.bootsecrets.fs.Group;
import dev.bootsecrets.fs.RunLock;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.join.JoinException;
import dev.bootsecrets.join.Joined;
import dev.bootsecrets.join.stage.Join;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.output.Apply;
import dev.bootsecrets.output.Apply.Outcome;
import dev.bootsecrets.output.Planner;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.Plan;
import dev.bootsecrets.plan.PlanException;
import dev.bootsecrets.secret.Redaction;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * One boot run, the whole pipeline of DESIGN.md in one place ({@link #run}):
 * config -> identify -> gather -> (user-data) config -> plan -> secrets managers -> join -> plan -> apply -> report.
 * Each stage hands a value to the next; a stage that fails ends the run with a {@link Stop}
 * before anything is written, except apply, whose failures are per output.
 */
public final class BootRun {
    /** How long a run waits for another run's lock before giving up. */
    static final Duration LOCK_WAIT = Duration.ofMinutes(2);

    /**
     * @param root        target root every path is written under
     * @param provider    --provider, overriding config
     * @param metadataUrl --metadata-url, overriding config
     * @param config      --config FILE, the last config layer
     * @param machine     where the DMI strings and the kernel command line are read to identify the provider
     */
    public record Options(
            Path root, Optional<String> provider, Optional<URI> metadataUrl, Optional<Path> config, boolean dryRun,
            Machine machine) {}

    /**
     * What the run did; {@code plan} is empty when it ended before planning; {@code stale} says
     * why and from when, when it applied the last-known-good state instead.
     */
    public record Result(int exitCode, Optional<Plan> plan, List<Outcome> outcomes, InstanceMetadata metadata,
            Optional<LastGood.Stale> stale) {
        public Result(int exitCode, Optional<Plan> plan, List<Outcome> outcomes, InstanceMetadata metadata) {
            this(exitCode, plan, outcomes, metadata, Optional.empty());
        }
    }

    private BootRun() {}

    /** The user-data layer of config and what the cloud said, as the gather leaves them. */
    private record Gathered(Config config, InstanceMetadata metadata) {}

    /** A stage that ends the run early: the result to report, and why. */
    private static final class Stop extends Exception {
        final Result result;
        final List<String> errors;

        Stop(Result result, List<String> errors) {
            super(null, null, false, false);
            this.result = result;
            this.errors = errors;
        }

        /** Invalid input at {@code stage}: nothing is written. */
        static Stop invalid(String stage, List<String> errors, InstanceMetadata metadata) {
            errors.forEach(e -> Log.error("invalid " + stage + ", nothing written: " + e));
            return new Stop(new Result(ExitCode.INVALID, Optional.empty(), List.of(), metadata), errors);
        }
    }

    public static Result run(Options options) throws IOException {
        Instant started = Instant.now();
        // The agent's own names stay readable in its messages whatever short values it meets.
        Redaction.name(options.root().toString());
        options.provider().ifPresent(Redaction::name);
        try (TargetRoot root = TargetRoot.open(options.root())) {
            Config config;
            try {
                config = configure(options);
            } catch (Stop stop) {
                return report(stop.result, started, root, options, stop.errors);
            }
            Result result = run(config, options, root, started);
            if (!options.dryRun() && config.settings().lockdown().enabled()) {
                lockDown(config.settings().lockdown(), result.metadata().provider(), root);
            }
            return result;
        }
    }

    /**
     * Everything after the config, under the run lock: gather, plan, join, apply, report; or,
     * when the metadata service or the join is down, the last-known-good state.
     */
    private static Result run(Config config, Options options, TargetRoot root, Instant started) throws IOException {
        try (RunLock lock = options.dryRun() ? null : RunLock.acquire(root, LOCK_WAIT);
                MetadataHttp http = MetadataHttp.create()) {
            try {
                return stages(config, options, root, http, started);
            } catch (Stop stop) {
                Optional<Result> stale = offline(stop, config, options, root);
                return report(stale.orElse(stop.result), started, root, options, stop.errors);
            }
        }
    }

    /**
     * After the run, whatever its outcome: only root and the configured group may reach the
     * metadata service for the rest of the boot. A failure is logged, and the outputs stand.
     */
    private static void lockDown(Lockdown lockdown, String provider, TargetRoot root) {
        try {
            OptionalInt gid = OptionalInt.empty();
            if (lockdown.group().isPresent()) {
                Optional<Group> group = Accounts.load(root).group(lockdown.group().get());
                if (group.isEmpty()) {
                    throw new IOException("metadata lockdown: metadata.lockdown.group " + lockdown.group().get()
                            + " is not a group in the target root's /etc/group");
                }
                gid = OptionalInt.of(group.get().gid());
            }
            MetadataLockdown.apply(provider, gid, lockdown.containers());
            Log.notice("metadata service locked down: only root" + lockdown.group().map(g -> " and group " + g).orElse("")
                    + (lockdown.containers() ? " and containers" : "") + " may reach it for the rest of the boot");
        } catch (IOException e) {
            Log.error(e.getMessage() + "; every process can still reach the metadata service");
        }
    }

    /** gather -> plan -> join -> plan -> apply -> report, with the config in hand. */
    private static Result stages(Config config, Options options, TargetRoot root, MetadataHttp http, Instant started)
            throws Stop, IOException {
        Gathered gathered = gather(config, options, root, http);
        Accounts accounts = Accounts.load(root);
        // The plan is checked with empty stand-ins for what the join would give first:
        // a plan that cannot be written must not use up a one-time bootstrap secret.
        Declarations declared = gathered.config().declarations();
        Plan plan = checked(gathered.config(), gathered.metadata(), root, accounts);
        if (options.dryRun()) {
            plan.warnings().forEach(Log::warn);
            if (CloudSecrets.any(declared)) {
                Log.notice("secrets managers: not read in a dry run; the plan shows their outputs");
            }
            gathered.config().settings().join().ifPresent(j -> Log.notice(
                    "join: not done in a dry run (it would use up the bootstrap secret); the plan shows its outputs"));
            return new Result(ExitCode.OK, Optional.of(plan), List.of(), gathered.metadata());
        }
        // Before the join: a secret that cannot be read must not cost a one-time bootstrap secret.
        Map<String, Secret> managed = cloudSecrets(gathered, http, root);
        Joined joined = join(gathered, root);
        if (gathered.config().settings().join().isPresent() || !managed.isEmpty()) {
            plan = plan(gathered, joined, managed, root, accounts);
        }
        plan.warnings().forEach(Log::warn);
        List<Outcome> outcomes = Apply.apply(plan, root);
        List<FileIntent> unwritten = outcomes.stream().filter(Outcome::failed).map(Outcome::intent).toList();
        boolean failed = !unwritten.isEmpty();
        joined.burnBootstrap(root, unwritten, gathered.config().declarations());
        int exit = failed ? ExitCode.PARTIAL : ExitCode.OK;
        Optional<Offline> offline = gathered.config().settings().offline();
        if (!failed && offline.isPresent()) {
            LastGood.save(root, offline.get(), gathered.config(), gathered.metadata(), plan, joined, started);
        }
        return report(new Result(exit, Optional.of(plan), outcomes, gathered.metadata()), started, root,
                options, List.of());
    }

    /**
     * A run stopped because the metadata service or the join was down applies the
     * last-known-good state, if the image allows it ({@code offline:}); never after invalid input.
     */
    private static Optional<Result> offline(Stop stop, Config config, Options options, TargetRoot root) {
        Optional<Offline> offline = config.settings().offline();
        int exit = stop.result.exitCode();
        if (offline.isEmpty() || options.dryRun() || (exit != ExitCode.UNREACHABLE && exit != ExitCode.JOIN_FAILED)) {
            return Optional.empty();
        }
        String reason = (exit == ExitCode.UNREACHABLE ? "metadata service unreachable: " : "join failed: ")
                + String.join("; ", stop.errors);
        return LastGood.restore(config, offline.get(), reason, root);
    }

    /** With offline: the last-known-good state may yet be written, and says so itself. */
    private static String nothingWritten(Config config) {
        return config.settings().offline().isPresent() ? "" : ", nothing written";
    }

    /** config: the image's and the machine's layers, then the command line. */
    private static Config configure(Options options) throws Stop {
        try {
            return withFlags(ConfigLoader.load(options.root(), options.config()), options);
        } catch (ConfigException e) {
            throw Stop.invalid("config", e.errors(), InstanceMetadata.none());
        }
    }

    /** identify + gather, then the user-data layer of config and the attributes it names. */
    private static Gathered gather(Config config, Options options, TargetRoot root, MetadataHttp http) throws Stop {
        InstanceMetadata metadata = InstanceMetadata.none();
        try {
            Optional<MetadataProvider> provider =
                    Providers.select(config.settings(), options.provider(), options.machine(), root, http);
            if (provider.isEmpty()) {
                return new Gathered(config, metadata);
            }
            Deadline deadline = Deadline.in(config.settings().deadline());
            Set<String> asked = metadataAttributes(config.declarations());
            boolean identity = Join.needsIdentity(config.settings()); // join is machine config: known now
            metadata = provider.get().gather(
                    new GatherRequest(deadline, asked, identity, Join.audience(config.settings()),
                            Join.identityKind(config.settings())));
            Redaction.name(provider.get().name());
            Redaction.name(metadata.instanceId());
            Redaction.name(metadata.region());
            Log.info(provider.get().name() + ": instance " + metadata.instanceId() + " in " + metadata.region());
            if (!options.dryRun()) {
                reportReady(provider.get(), metadata, deadline);
            }
            config = withUserData(config, metadata);
            Set<String> more = new TreeSet<>(metadataAttributes(config.declarations()));
            more.removeAll(asked);
            if (!more.isEmpty()) {
                metadata = metadata.withAttributes(provider.get().attributes(more, deadline));
            }
            return new Gathered(config, metadata);
        } catch (IllegalArgumentException e) {
            throw Stop.invalid("config", List.of(e.getMessage()), metadata);
        } catch (ConfigException e) {
            throw Stop.invalid("user-data", e.errors(), metadata);
        } catch (MetadataException e) {
            if (e.invalidContent()) {
                throw Stop.invalid("metadata", List.of(e.getMessage()), metadata);
            }
            Log.error("metadata service unreachable" + nothingWritten(config) + ": " + e.getMessage());
            throw new Stop(new Result(ExitCode.UNREACHABLE, Optional.empty(), List.of(), metadata),
                    List.of(e.getMessage()));
        }
    }

    /** The plan as gathered, with empty stand-ins for what the join and secrets managers would give. */
    private static Plan checked(Config config, InstanceMetadata metadata, TargetRoot root, Accounts accounts) throws Stop {
        try {
            return validate(config, metadata, root, accounts);
        } catch (PlanException e) {
            throw Stop.invalid("plan", e.errors(), metadata);
        }
    }

    /**
     * The one validation of a run's outputs before anything is used up or written, shared with
     * {@code check --root}: the whole plan against the root's users, paths and files, with empty
     * stand-ins for the join's secrets and certificate and for the secrets managers' values.
     */
    static Plan validate(Config config, InstanceMetadata metadata, TargetRoot root, Accounts accounts)
            throws PlanException {
        Optional<JoinSettings> join = config.settings().join();
        Joined joined = join.isPresent() ? Join.preview(join.get(), config.declarations()) : Joined.none();
        Map<String, Secret> secrets = new HashMap<>(joined.secrets());
        secrets.putAll(CloudSecrets.standIns(config.declarations()));
        return Planner.plan(config, metadata, secrets, joined.files(), root, accounts);
    }

    /**
     * The secrets the clouds' secrets managers hold for this machine, read with its identity;
     * any failure (denied, not found, throttled past the deadline) ends the run, nothing written.
     */
    private static Map<String, Secret> cloudSecrets(Gathered gathered, MetadataHttp http, TargetRoot root) throws Stop {
        Settings settings = gathered.config().settings();
        try {
            return CloudSecrets.fetch(gathered.config().declarations(), gathered.metadata().provider(), settings, http,
                    root, Deadline.in(settings.deadline()));
        } catch (SecretSourceException e) {
            throw Stop.invalid("secret source", List.of(e.getMessage()), gathered.metadata());
        }
    }

    /** plan: every output as a file intent, validated as a whole. */
    private static Plan plan(Gathered gathered, Joined joined, Map<String, Secret> managed, TargetRoot root,
            Accounts accounts) throws Stop {
        Map<String, Secret> secrets = new HashMap<>(joined.secrets());
        secrets.putAll(managed);
        try {
            return Planner.plan(gathered.config(), gathered.metadata(), secrets, joined.files(), root, accounts);
        } catch (PlanException e) {
            throw Stop.invalid("plan", e.errors(), gathered.metadata());
        }
    }

    /** join: runtime secrets and the machine's certificate; a failure writes nothing. */
    private static Joined join(Gathered gathered, TargetRoot root) throws Stop {
        Optional<JoinSettings> join = gathered.config().settings().join();
        if (join.isEmpty()) {
            return Joined.none();
        }
        try {
            return Join.run(join.get(), gathered.config().declarations(), gathered.metadata(), root);
        } catch (JoinException e) {
            Log.error("join failed" + nothingWritten(gathered.config()) + ": " + e.getMessage());
            throw new Stop(new Result(ExitCode.JOIN_FAILED, Optional.empty(), List.of(), gathered.metadata()),
                    List.of(e.getMessage()));
        }
    }

    /** --provider is not laid over the config here: it outranks the kernel command line, which the config does not. */
    private static Config withFlags(Config config, Options options) {
        Settings settings = config.settings();
        if (options.metadataUrl().isPresent()) {
            settings = settings.withMetadataUrl(options.metadataUrl().get());
        }
        return new Config(settings, config.declarations());
    }

    /** The user-data layer (and a section held apart) over {@code config}; LastGood lays the stored one the same way. */
    static Config withUserData(Config config, InstanceMetadata metadata) throws ConfigException {
        return UserData.apply(config, metadata.userData(), metadata.section().map(InstanceMetadata.Section::text),
                metadata.section().flatMap(InstanceMetadata.Section::sshRefusal));
    }

    /**
     * The machine is up whatever becomes of the plan, so the cloud hears it now; a failed
     * report is logged and tried again at the next boot, it does not stop the run.
     */
    private static void reportReady(MetadataProvider provider, InstanceMetadata metadata, Deadline deadline) {
        try {
            provider.reportReady(metadata, deadline);
        } catch (MetadataException e) {
            Log.error(provider.name() + ": could not report the machine ready: " + e.getMessage());
        }
    }

    /** Attributes that declared secrets refer to. */
    static Set<String> metadataAttributes(Declarations declared) {
        Set<String> names = new TreeSet<>();
        for (Declarations.SecretDecl secret : declared.secrets()) {
            if (secret.source() instanceof Declarations.Source.FromMetadata m) {
                names.add(m.attribute());
            }
        }
        return names;
    }

    private static Result report(
            Result result, Instant started, TargetRoot root, Options options, List<String> errors)
            throws IOException {
        if (!options.dryRun()) {
            Report.write(root, result, started, Instant.now(), errors);
        }
        return result;
    }
}
