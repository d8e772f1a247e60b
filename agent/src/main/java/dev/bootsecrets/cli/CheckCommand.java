package dev.bootsecrets.cli;

import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.config.Config;
import dev.bootsecrets.config.ConfigException;
import dev.bootsecrets.config.ConfigLoader;
import dev.bootsecrets.config.UserData;
import dev.bootsecrets.fs.Accounts;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.join.stage.Join;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.output.Planner;
import dev.bootsecrets.plan.PlanException;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code bootsecrets check}: validates config layers and a user-data file offline, with
 * errors that name the exact field. With {@code --root} it also runs the run's own plan
 * validation against that root, so it refuses exactly what {@code run --root} would before any
 * network. Exit 0 when valid, 3 when not.
 */
final class CheckCommand {
    private CheckCommand() {}

    static int run(String[] argv, PrintStream out) throws IOException, Args.UsageException {
        Args args = Args.parse(argv, 1, Set.of("user-data", "config", "root"), Set.of("verbose"));
        Path root = Path.of(args.value("root").orElse("/"));
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        try {
            Config config = ConfigLoader.load(root, args.value("config").map(Path::of));
            Optional<String> userDataFile = args.value("user-data");
            if (userDataFile.isPresent()) {
                config = UserData.apply(config, readBounded(Path.of(userDataFile.get()),
                        config.settings().userData().maxBytes()));
            }
            Planner.check(config, args.value("root").isEmpty(), errors, warnings);
            Join.check(config.settings().join(), config.declarations(), errors, warnings);
            if (args.value("root").isPresent() && errors.isEmpty()) {
                errors.addAll(againstRoot(config, root));
            }
        } catch (ConfigException e) {
            errors.addAll(e.errors());
        }
        warnings.forEach(w -> out.println(Log.oneLine("warning: " + w)));
        errors.forEach(e -> out.println(Log.oneLine("error: " + e)));
        if (!errors.isEmpty()) {
            out.println("invalid: " + errors.size() + " error(s)");
            return ExitCode.INVALID;
        }
        out.println("valid");
        return ExitCode.OK;
    }

    /**
     * What {@code run --root} would refuse before any network: the run's own validation, against
     * the root's users and files, with empty stand-ins for every metadata attribute declared.
     */
    private static List<String> againstRoot(Config config, Path dir) throws IOException {
        Map<String, Secret> attributes = new HashMap<>();
        BootRun.metadataAttributes(config.declarations()).forEach(name -> attributes.put(name, Secret.empty()));
        try (TargetRoot root = TargetRoot.open(dir)) {
            BootRun.validate(config, InstanceMetadata.none().withAttributes(attributes), root, Accounts.load(root));
            return List.of();
        } catch (PlanException e) {
            return e.errors();
        }
    }

    /** Reads at most one byte over the limit, so UserData can say the file is too big. */
    private static byte[] readBounded(Path file, int maxBytes) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(maxBytes + 1);
        }
    }
}
