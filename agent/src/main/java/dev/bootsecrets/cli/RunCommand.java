package dev.bootsecrets.cli;

import dev.bootsecrets.cloud.Machine;
import dev.bootsecrets.fs.Confinement;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

/** {@code bootsecrets run}: one boot run. */
final class RunCommand {
    private RunCommand() {}

    static int run(String[] argv, PrintStream out, boolean confine) throws IOException, Args.UsageException {
        Args args = Args.parse(argv, 1, Set.of("root", "provider", "metadata-url", "config", "dmi-dir", "cmdline"),
                Set.of("dry-run", "verbose"));
        BootRun.Options options = new BootRun.Options(
                Path.of(args.value("root").orElse("/")),
                args.value("provider"),
                args.value("metadata-url").map(URI::create),
                args.value("config").map(Path::of),
                args.flag("dry-run"),
                new Machine(args.value("dmi-dir").map(Path::of).orElse(Machine.LOCAL.dmi()),
                        args.value("cmdline").map(Path::of).orElse(Machine.LOCAL.cmdline())));
        if (confine) {
            // Before any input is read: nothing the run does from here can write elsewhere.
            Confinement.apply(options.root());
        }
        BootRun.Result result = BootRun.run(options);
        if (options.dryRun()) {
            result.plan().ifPresent(plan -> Listing.plan(plan, out));
        }
        return result.exitCode();
    }
}
