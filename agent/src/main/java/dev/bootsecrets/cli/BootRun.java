package dev.bootsecrets.cli;

import dev.bootsecrets.cloud.GatherRequest;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.cloud.Machine;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.MetadataProvider;
import dev.bootsecrets.cloud.Providers;
import dev.bootsecrets.config.Config;
import dev.bootsecrets.config.ConfigException;
import dev.bootsecrets.config.ConfigLoader;
import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.JoinSettings;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.config.UserData;
import dev.bootsecrets.fs.Accounts;
import dev.bootsecrets.fs.RunLock;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.join.Join;
import dev.bootsecrets.join.JoinException;
import dev.bootsecrets.join.Joined;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.output.Apply;
import dev.bootsecrets.output.Apply.Outcome;
import dev.bootsecrets.output.Planner;
import dev.bootsecrets.plan.Plan;
import dev.bootsecrets.plan.PlanException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One boot run, the whole pipeline of DESIGN.md in one place:
 * config -> identify -> gather -> (user-data) config -> join -> plan -> apply -> report.
 * Each stage hands a value to the next; a stage that fails ends the run before anything is
 * written, except apply, whose failures are per output.
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

    /** What the run did; {@code plan} is empty when it ended before planning. */
    public record Result(int exitCode, Optional<Plan> plan, List<Outcome> outcomes, InstanceMetadata metadata) {}

    private BootRun() {}

    public static Result run(Options options) throws IOException {
        Instant started = Instant.now();
        try (TargetRoot root = TargetRoot.open(options.root())) {
            // config: image and machine layers, then the command line
            Config config;
            try {
                config = withFlags(ConfigLoader.load(options.root(), options.config()), options);
            } catch (ConfigException e) {
                return invalid("config", e.errors(), started, root, options, InstanceMetadata.none());
            }
            try (RunLock lock = options.dryRun() ? null : RunLock.acquire(root, LOCK_WAIT);
                    MetadataHttp http = MetadataHttp.create()) {
                // identify + gather, then the user-data layer of config and the attributes it names
                InstanceMetadata metadata = InstanceMetadata.none();
                try {
                    Optional<MetadataProvider> provider =
                            Providers.select(config.settings(), options.provider(), options.machine(), root, http);
                    if (provider.isPresent()) {
                        Deadline deadline = Deadline.in(config.settings().deadline());
                        Set<String> asked = metadataAttributes(config.declarations());
                        boolean identity = Join.needsIdentity(config.settings()); // join is machine config: known now
                        metadata = provider.get().gather(
                                new GatherRequest(deadline, asked, identity, Join.audience(config.settings()),
                                        Join.identityKind(config.settings())));
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
                    }
                } catch (IllegalArgumentException e) {
                    return invalid("config", List.of(e.getMessage()), started, root, options, metadata);
                } catch (ConfigException e) {
                    return invalid("user-data", e.errors(), started, root, options, metadata);
                } catch (MetadataException e) {
                    Log.error("metadata service unreachable, nothing written: " + e.getMessage());
                    return report(new Result(ExitCode.UNREACHABLE, Optional.empty(), List.of(), metadata),
                            started, root, options, List.of(e.getMessage()));
                }
                // plan, checked first with what the join would give (empty values): a plan that
                // cannot be written must not use up a one-time bootstrap secret
                Optional<JoinSettings> join = config.settings().join();
                Declarations declared = config.declarations();
                Accounts accounts = Accounts.load(root);
                Joined joined = Joined.none();
                Plan plan;
                try {
                    if (join.isPresent()) {
                        joined = Join.preview(join.get(), declared);
                    }
                    plan = joined.addTo(Planner.plan(config, metadata, joined.secrets(), root, accounts));
                } catch (PlanException e) {
                    return invalid("plan", e.errors(), started, root, options, metadata);
                }
                if (options.dryRun()) {
                    plan.warnings().forEach(Log::warn);
                    join.ifPresent(j -> Log.notice("join: not done in a dry run (it would use up the bootstrap secret);"
                            + " the plan shows its outputs"));
                    return new Result(ExitCode.OK, Optional.of(plan), List.of(), metadata);
                }
                // join: runtime secrets and the machine's certificate; a failure writes nothing
                if (join.isPresent()) {
                    try {
                        joined = Join.run(join.get(), declared, metadata, root);
                        plan = joined.addTo(Planner.plan(config, metadata, joined.secrets(), root, accounts));
                    } catch (JoinException e) {
                        Log.error("join failed, nothing written: " + e.getMessage());
                        return report(new Result(ExitCode.JOIN_FAILED, Optional.empty(), List.of(), metadata),
                                started, root, options, List.of(e.getMessage()));
                    } catch (PlanException e) {
                        return invalid("plan", e.errors(), started, root, options, metadata);
                    }
                }
                plan.warnings().forEach(Log::warn);
                // apply + report; the used bootstrap secret is deleted only once everything is written
                List<Outcome> outcomes = Apply.apply(plan, root);
                boolean failed = outcomes.stream().anyMatch(Outcome::failed);
                if (!failed) {
                    joined.burnBootstrap(root);
                }
                Result result = new Result(failed ? ExitCode.PARTIAL : ExitCode.OK, Optional.of(plan), outcomes, metadata);
                return report(result, started, root, options, List.of());
            }
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

    private static Config withUserData(Config config, InstanceMetadata metadata) throws ConfigException {
        return UserData.apply(config, metadata.userData(), metadata.section());
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

    private static Result invalid(
            String stage, List<String> errors, Instant started, TargetRoot root, Options options,
            InstanceMetadata metadata) throws IOException {
        errors.forEach(e -> Log.error("invalid " + stage + ", nothing written: " + e));
        Result result = new Result(ExitCode.INVALID, Optional.empty(), List.of(), metadata);
        return report(result, started, root, options, errors);
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
