package dev.bootsecrets.cli;

import dev.bootsecrets.fs.ProcessHardening;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Redaction;
import java.io.PrintStream;
import java.util.Arrays;

/** Entry point: {@code bootsecrets COMMAND [OPTIONS]}. */
public final class Main {
    static final String VERSION = "0.1.0";

    static final String USAGE = """
            usage: bootsecrets COMMAND [OPTIONS]

            commands:
              run      one boot run: config, identify, gather, join, plan, apply, report
                       [--root DIR] [--provider auto|aws|gcp|azure|nocloud|none]
                       [--metadata-url URL] [--config FILE] [--dry-run] [--verbose]
                       [--dmi-dir DIR] [--cmdline FILE]  (where provider detection looks)
              check    validate config and user-data offline
                       [--user-data FILE] [--config FILE] [--root DIR]
              status   what the last run did, and the store's records  [--root DIR] [--json]
              store    the last-known-good store (offline: in the image's config) [--root DIR]
                       verify      check every record's tag, name the ones that fail
                       rekey       a new store key, every record re-sealed with it
                       export-key  the store key to stdout, for a backup off the machine [--force]
                       import-key  a backup of the store key from stdin, sealed here [--force]
              emulate  serve the metadata emulator until stopped
                       --provider aws|gcp|azure [--listen 127.0.0.1:PORT] [--scenario DIR]
              demo     the full flow against the built-in emulator into a sandbox root
                       [--dir DIR] [--provider aws|gcp|azure|nocloud] [--join] [--dry-run] [--verbose]
              credential-helper  the docker-credential-helpers protocol for ECR, Artifact
                       Registry/GCR and ACR from the machine's identity (also run as
                       docker-credential-bootsecrets ACTION)
                       [--root DIR] [--config FILE] [--dmi-dir DIR] [--cmdline FILE] get|list|store|erase|version
              podman-secret  podman's secret store: sync registers the values the run wrote with
                       podman's shell driver; lookup, store, delete and list NAME are the driver's
                       commands  sync|lookup NAME|store NAME|delete NAME|list NAME [--root DIR]
              version  print the version

            exit codes of run: 0 all applied, 3 invalid config or user-data (nothing written),
            4 metadata service unreachable (nothing written), 5 some outputs failed, 6 join failed
            (nothing written, bootstrap secret kept), 7 stale: the last-known-good state applied
            (offline:), 2 usage, 1 internal error
            """;

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
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            out.print(USAGE);
            return args.length == 0 ? ExitCode.USAGE : ExitCode.OK;
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
