package dev.bootsecrets.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The name the program was started by, which picks its mode: as
 * {@code docker-credential-bootsecrets} (a link to the agent) it is the credential helper.
 * The native binary reads its argv[0] from /proc/self/cmdline; the JVM build's launcher
 * script knows its own $0 and passes the command itself.
 */
final class ProgramName {
    private ProgramName() {}

    /** argv[0] of this process, or empty when /proc does not say. */
    static Optional<String> current() {
        try {
            return first(Files.readAllBytes(Path.of("/proc/self/cmdline")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The first NUL-terminated field of a /proc/PID/cmdline. */
    static Optional<String> first(byte[] cmdline) {
        int end = 0;
        while (end < cmdline.length && cmdline[end] != 0) {
            end++;
        }
        return end == 0 ? Optional.empty() : Optional.of(new String(cmdline, 0, end, StandardCharsets.UTF_8));
    }

    /** The command line to run for a program started as {@code program} with {@code args}. */
    static String[] dispatch(Optional<String> program, String[] args) {
        boolean helper = program.map(p -> p.substring(p.lastIndexOf('/') + 1))
                .map(CredentialHelper.PROGRAM::equals).orElse(false);
        if (!helper) {
            return args;
        }
        String[] out = new String[args.length + 1];
        out[0] = "credential-helper";
        System.arraycopy(args, 0, out, 1, args.length);
        return out;
    }
}
