package dev.bootsecrets.cli;

import java.io.PrintStream;
import java.util.Map;

/**
 * Entry point of the JVM build and of the development image: the boot image's commands
 * (cli/BootMain) and the metadata emulator and the demo, which a boot never runs.
 */
public final class Main {
    private static final Map<String, BootMain.Command> DEVELOPMENT = Map.of(
            "emulate", EmulateCommand::run,
            "demo", DemoCommand::run);

    private Main() {}

    public static void main(String[] args) {
        System.exit(BootMain.run(ProgramName.dispatch(ProgramName.current(), args), System.out, System.err, true,
                DEVELOPMENT));
    }

    /** Runs one command in this process, unconfined; returns its exit code. Tests call this. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return BootMain.run(args, out, err, false, DEVELOPMENT);
    }
}
