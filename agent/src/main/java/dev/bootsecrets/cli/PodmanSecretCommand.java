package dev.bootsecrets.cli;

import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.output.PodmanRegistration;
import dev.bootsecrets.output.PodmanSecrets;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code bootsecrets podman-secret ACTION}: the agent as podman's secret store.
 * {@code sync} registers the values the run wrote with podman's shell driver
 * ({@link PodmanRegistration}); {@code lookup NAME}, {@code store NAME}, {@code delete NAME} and
 * {@code list NAME} are the driver's commands, which podman runs with the agent's path and the
 * secret's name in its database. {@code lookup} prints the value the last run wrote; the others
 * change nothing, since values are the agent's to write (podman's {@code store} input is read
 * and thrown away).
 */
final class PodmanSecretCommand {
    /** Largest value served; podman's own limit is 512000 bytes. */
    static final int MAX_VALUE = 512000;
    private static final List<String> DRIVER = List.of("lookup", "store", "delete", "list");

    private PodmanSecretCommand() {}

    /** @param argv {@code podman-secret sync|lookup NAME|store NAME|delete NAME|list NAME [--root DIR] [--verbose]} */
    static int run(String[] argv, InputStream in, PrintStream out) throws Args.UsageException, IOException {
        if (argv.length < 2) {
            throw new Args.UsageException("podman-secret needs an action: sync, lookup, store, delete or list");
        }
        String action = argv[1];
        boolean driver = DRIVER.contains(action);
        if (!driver && !action.equals("sync")) {
            throw new Args.UsageException("unknown podman-secret action (sync, lookup, store, delete, list)");
        }
        if (driver && (argv.length < 3 || argv[2].startsWith("--"))) {
            throw new Args.UsageException("podman-secret " + action + " needs the secret's name");
        }
        Args args = Args.parse(argv, driver ? 3 : 2, Set.of("root"), Set.of("verbose"));
        Path root = Path.of(args.value("root").orElse("/"));
        try (TargetRoot target = TargetRoot.open(root)) {
            return switch (action) {
                case "sync" -> sync(target);
                case "lookup" -> lookup(target, argv[2], out);
                case "store" -> {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                    yield ExitCode.OK;
                }
                case "list" -> {
                    // the driver's list names the ids it holds: this secret's, while its value is there
                    Optional<String> id = Optional.ofNullable(System.getenv("SECRET_ID"));
                    if (id.isPresent() && target.exists(PodmanSecrets.path(argv[2]))) {
                        out.println(id.get());
                    }
                    yield ExitCode.OK;
                }
                default -> ExitCode.OK; // delete: the value goes when its declaration does
            };
        }
    }

    private static int lookup(TargetRoot root, String name, PrintStream out) throws IOException {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,252}")) {
            Log.error("podman-secret lookup: not a podman secret name");
            return ExitCode.INTERNAL;
        }
        Optional<byte[]> value = root.read(PodmanSecrets.path(name), MAX_VALUE);
        if (value.isEmpty()) {
            Log.error("podman secret " + name + ": no value at " + PodmanSecrets.path(name)
                    + " (not declared, or bootsecrets has not run this boot)");
            return ExitCode.INTERNAL;
        }
        out.write(value.get());
        out.flush();
        Secret.wipe(value.get());
        return ExitCode.OK;
    }

    private static int sync(TargetRoot root) throws IOException {
        List<String> errors;
        try {
            PodmanRegistration registration = new PodmanRegistration(Path.of("/usr/bin/podman"), program(),
                    PodmanRegistration.environment(System.getenv()));
            errors = registration.sync(root);
        } catch (IllegalArgumentException e) {
            Log.error("podman secrets: " + e.getMessage());
            return ExitCode.INTERNAL;
        }
        errors.forEach(Log::error);
        return errors.isEmpty() ? ExitCode.OK : ExitCode.PARTIAL;
    }

    /**
     * This agent's executable, as podman is to run it: the JVM build's launcher passes its own
     * path ({@code bootsecrets.program}); a native binary is the process's own executable.
     */
    private static String program() {
        return Optional.ofNullable(System.getProperty("bootsecrets.program"))
                .or(() -> ProcessHandle.current().info().command())
                .orElseThrow(() -> new IllegalArgumentException("cannot tell this program's own path"));
    }
}
