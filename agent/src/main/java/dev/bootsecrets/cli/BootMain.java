package dev.bootsecrets.cli;

import dev.bootsecrets.fs.ProcessHardening;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Redaction;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Entry point of the native boot image: the commands a machine runs, and nothing else. The
 * metadata emulator and the demo (with their join service and local CA) are added by cli/Main,
 * the entry point of the JVM build and of the development image: a first boot reads every
 * page of the image it touches from disk, so what a boot never runs stays out of it
 * (docs/packaging.md, "The boot image").
 */
public final class BootMain {
    static final String VERSION = "0.1.0";

    /** A command beyond the boot image's own (cli/Main's emulate and demo). */
    interface Command {
        int run(String[] args, PrintStream out) throws Exception;
    }

    private BootMain() {}

    public static void main(String[] args) {
        System.exit(run(ProgramName.dispatch(ProgramName.current(), args), System.out, System.err, true, Map.of()));
    }

    /**
     * Runs one command; returns its exit code.
     *
     * @param confine whether {@code run} confines this process's writes (fs/Confinement): for
     *     a process of its own only, since it cannot be undone
     * @param more the commands beyond the boot image's, by name
     */
    static int run(String[] args, PrintStream out, PrintStream err, boolean confine, Map<String, Command> more) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        Log.configure(err, verbose);
        Redaction.forget();
        boolean development = !more.isEmpty();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(Usage.all(development));
            return args.length == 0 ? ExitCode.USAGE : ExitCode.OK;
        }
        try {
            if (Usage.developmentOnly(args[0]) && !more.containsKey(args[0])) {
                throw new Args.UsageException(args[0] + " is not in the boot image: the JVM build"
                        + " (agent/target/bootsecrets) and bootsecrets-native-dev have it");
            }
            Optional<String> help = Usage.asked(args) ? Usage.of(args[0]) : Optional.empty();
            if (help.isPresent()) {
                out.print(help.get());
                return ExitCode.OK;
            }
            ProcessHardening.apply();
            return switch (args[0]) {
                case "run" -> RunCommand.run(args, out, confine);
                case "check" -> CheckCommand.run(args, out);
                case "status" -> StatusCommand.run(args, out);
                case "store" -> StoreCommand.run(args, System.in, out);
                case "credential-helper" -> CredentialHelper.run(args, System.in, out);
                case "podman-secret" -> PodmanSecretCommand.run(args, System.in, out);
                case "version", "--version" -> {
                    out.println("bootsecrets " + VERSION);
                    yield ExitCode.OK;
                }
                default -> {
                    Command command = more.get(args[0]);
                    if (command == null) {
                        throw new Args.UsageException("unknown command " + args[0]);
                    }
                    yield command.run(args, out);
                }
            };
        } catch (Args.UsageException e) {
            Log.error(e.getMessage() + " (bootsecrets --help lists the commands and options)");
            return ExitCode.USAGE;
        } catch (Exception e) {
            // Messages of our own exceptions hold paths and reasons only; the redaction net in
            // Log covers anything a library put there.
            Log.error("internal error: " + e);
            if (Log.verbose()) {
                for (StackTraceElement frame : e.getStackTrace()) {
                    Log.debug("  at " + frame);
                }
            }
            return ExitCode.INTERNAL;
        }
    }
}
