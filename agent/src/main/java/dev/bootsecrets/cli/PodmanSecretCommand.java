package dev.bootsecrets.cli;

import dev.bootsecrets.fs.Accounts;
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
import java.util.OptionalInt;
import java.util.Set;

/**
 * {@code bootsecrets podman-secret ACTION}: the agent as podman's secret store.
 * {@code sync} registers the values the run wrote with podman's shell driver
 * ({@link PodmanRegistration}); {@code lookup NAME}, {@code store NAME}, {@code delete NAME} and
 * {@code list NAME} are the driver's commands, which podman runs with the agent's path and the
 * secret's name in its database. {@code lookup} prints the value the last run wrote; the others
 * change nothing, since values are the agent's to write (podman's {@code store} input is read
 * and thrown away).
 *
 * <p>A user's own (rootless) podman: {@code sync --user}, run as that user (their user unit),
 * registers the values in {@code /run/bootsecrets-podman/UID} with their podman, whose driver
 * commands carry {@code --uid UID}; {@code lookup NAME --uid UID} serves a value only from a file
 * the calling process owns, decided on the opened file, so it serves no one but that user.
 */
final class PodmanSecretCommand {
    /** Largest value served; podman's own limit is 512000 bytes. */
    static final int MAX_VALUE = 512000;
    private static final List<String> DRIVER = List.of("lookup", "store", "delete", "list");

    private PodmanSecretCommand() {}

    /** @param argv {@code podman-secret sync [--user]|lookup NAME|store NAME|delete NAME|list NAME [--uid UID] [--root DIR] [--verbose]} */
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
        Args args = Args.parse(argv, driver ? 3 : 2, driver ? Set.of("root", "uid") : Set.of("root"),
                driver ? Set.of("verbose") : Set.of("verbose", "user"));
        Path root = Path.of(args.value("root").orElse("/"));
        OptionalInt uid = uid(args);
        if (args.flag("user") && Accounts.processUid() == 0) {
            throw new Args.UsageException("podman-secret sync --user is run by a user for their own podman; root's podman"
                    + " is synced without --user");
        }
        try (TargetRoot target = TargetRoot.open(root)) {
            return switch (action) {
                case "sync" -> sync(target, args.flag("user") ? OptionalInt.of(Accounts.processUid()) : OptionalInt.empty());
                case "lookup" -> lookup(target, argv[2], uid, out);
                case "store" -> {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                    yield ExitCode.OK;
                }
                case "list" -> {
                    // the driver's list names the ids it holds: this secret's, while its value is there
                    Optional<String> id = Optional.ofNullable(System.getenv("SECRET_ID"));
                    if (id.isPresent() && target.exists(path(argv[2], uid))) {
                        out.println(id.get());
                    }
                    yield ExitCode.OK;
                }
                default -> ExitCode.OK; // delete: the value goes when its declaration does
            };
        }
    }

    /** {@code --uid}: the user whose own podman runs the driver's command. */
    private static OptionalInt uid(Args args) throws Args.UsageException {
        Optional<String> uid = args.value("uid");
        if (uid.isPresent() && !uid.get().matches("[1-9][0-9]{0,9}")) {
            throw new Args.UsageException("--uid needs a user's uid (a number above 0)");
        }
        try {
            return uid.isPresent() ? OptionalInt.of(Integer.parseInt(uid.get())) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--uid needs a user's uid (a number above 0)");
        }
    }

    /** Where the value of {@code name} is: root's, or with {@code uid} that user's own. */
    private static String path(String name, OptionalInt uid) {
        return uid.isPresent() ? PodmanSecrets.userPath(uid.getAsInt(), name) : PodmanSecrets.path(name);
    }

    private static int lookup(TargetRoot root, String name, OptionalInt uid, PrintStream out) throws IOException {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,252}")) {
            Log.error("podman-secret lookup: not a podman secret name");
            return ExitCode.INTERNAL;
        }
        String path = path(name, uid);
        Optional<byte[]> value;
        try {
            // A user's value is served only from a file this process owns, whatever the path says.
            value = uid.isPresent() ? root.readOwn(path, MAX_VALUE) : root.read(path, MAX_VALUE);
        } catch (IOException e) {
            Log.error("podman secret " + name + ": not served: " + e.getMessage());
            return ExitCode.INTERNAL;
        }
        if (value.isEmpty()) {
            Log.error("podman secret " + name + ": no value at " + path
                    + " (not declared, or bootsecrets has not run this boot)");
            return ExitCode.INTERNAL;
        }
        out.write(value.get());
        out.flush();
        Secret.wipe(value.get());
        return ExitCode.OK;
    }

    private static int sync(TargetRoot root, OptionalInt uid) throws IOException {
        List<String> errors;
        try {
            PodmanRegistration registration = new PodmanRegistration(Path.of("/usr/bin/podman"), program(),
                    PodmanRegistration.environment(System.getenv(), uid.isPresent()));
            errors = registration.sync(root, uid);
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
