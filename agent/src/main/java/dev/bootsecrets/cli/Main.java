package dev.bootsecrets.cli;

import dev.bootsecrets.fs.ProcessHardening;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Redaction;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Optional;

/** Entry point: {@code bootsecrets COMMAND [OPTIONS]}. */
public final class Main {
    static final String VERSION = "0.1.0";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(ProgramName.dispatch(ProgramName.current(), args), System.out, System.err, true));
    }

    /** Runs one command in this process, unconfined; returns its exit code. Tests call this. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, false);
    }

    /**
     * Runs one command; returns its exit code.
     *
     * @param confine whether {@code run} confines this process's writes (fs/Confinement): for
     *     a process of its own only, since it cannot be undone
     */
    static int run(String[] args, PrintStream out, PrintStream err, boolean confine) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        Log.configure(err, verbose);
        Redaction.forget();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(Usage.all());
            return args.length == 0 ? ExitCode.USAGE : ExitCode.OK;
        }
        Optional<String> help = Usage.asked(args) ? Usage.of(args[0]) : Optional.empty();
        if (help.isPresent()) {
            out.print(help.get());
            return ExitCode.OK;
        }
        ProcessHardening.apply();
        try {
            return switch (args[0]) {
                case "run" -> RunCommand.run(args, out, confine);
                case "check" -> CheckCommand.run(args, out);
                case "status" -> StatusCommand.run(args, out);
                case "store" -> StoreCommand.run(args, System.in, out);
                case "emulate" -> EmulateCommand.run(args, out);
                case "demo" -> DemoCommand.run(args, out);
                case "credential-helper" -> CredentialHelper.run(args, System.in, out);
                case "podman-secret" -> PodmanSecretCommand.run(args, System.in, out);
                case "version", "--version" -> {
                    out.println("bootsecrets " + VERSION);
                    yield ExitCode.OK;
                }
                default -> throw new Args.UsageException("unknown command " + args[0]);
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
