package dev.bootsecrets.cli;

import java.util.List;
import java.util.Optional;

/**
 * What {@code bootsecrets --help} and {@code bootsecrets COMMAND --help} print: each command's
 * block once, shared by the overview and the command's own help.
 */
final class Usage {
    /**
     * One command: its name, what follows the name on its help's usage line, and its block of
     * the overview (indented lines, as printed there).
     */
    record Command(String name, String synopsis, String block) {}

    static final List<Command> COMMANDS = List.of(
            new Command("run", "[OPTIONS]", """
                      run      one boot run: config, identify, gather, join, plan, apply, report
                               [--root DIR] [--provider auto|aws|gcp|azure|imdsd|nocloud|none]
                               [--metadata-url URL] [--config FILE] [--dry-run] [--verbose]
                               [--dmi-dir DIR] [--cmdline FILE]  (where provider detection looks)
                    """),
            new Command("check", "[OPTIONS]", """
                      check    validate config and user-data offline
                               [--user-data FILE] [--config FILE] [--root DIR]
                    """),
            new Command("status", "[OPTIONS]", """
                      status   what the last run did, and the store's records  [--root DIR] [--json]
                    """),
            new Command("store", "verify|rekey|export-key|import-key [OPTIONS]", """
                      store    the last-known-good store (offline: in the image's config) [--root DIR]
                               verify      check every record's tag, name the ones that fail
                               rekey       a new store key, every record re-sealed with it
                               export-key  the store key to stdout, for a backup off the machine [--force]
                               import-key  a backup of the store key from stdin, sealed here [--force]
                    """),
            new Command("emulate", "--provider aws|gcp|azure [OPTIONS]", """
                      emulate  serve the metadata emulator until stopped
                               --provider aws|gcp|azure [--listen 127.0.0.1:PORT] [--scenario DIR] [--imdsd SOCKET]
                    """),
            new Command("demo", "[OPTIONS]", """
                      demo     the full flow against the built-in emulator into a sandbox root
                               [--dir DIR] [--provider aws|gcp|azure|nocloud] [--join] [--dry-run] [--verbose]
                    """),
            new Command("credential-helper", "[OPTIONS] get|list|store|erase|version", """
                      credential-helper  the docker-credential-helpers protocol for ECR, Artifact
                               Registry/GCR and ACR from the machine's identity (also run as
                               docker-credential-bootsecrets ACTION)
                               [--root DIR] [--config FILE] [--dmi-dir DIR] [--cmdline FILE] get|list|store|erase|version
                    """),
            new Command("podman-secret", "sync [--user]|lookup NAME|store NAME|delete NAME|list NAME [--uid UID] [--root DIR]", """
                      podman-secret  podman's secret store: sync registers the values the run wrote with
                               podman's shell driver; lookup, store, delete and list NAME are the driver's
                               commands; sync --user, run by a user, does it for their own podman, whose
                               driver commands carry --uid
                               sync [--user]|lookup NAME|store NAME|delete NAME|list NAME [--uid UID] [--root DIR]
                    """),
            new Command("version", "", """
                      version  print the version
                    """));

    static final String EXIT_CODES = """
            exit codes of run: 0 all applied, 3 invalid config or user-data (nothing written),
            4 metadata service unreachable (nothing written), 5 some outputs failed, 6 join failed
            (nothing written, bootstrap secret kept), 7 stale: the last-known-good state applied
            (offline:), 2 usage, 1 internal error
            """;

    private Usage() {}

    /** The commands only the JVM build and the development image have (cli/Main). */
    private static final List<String> DEVELOPMENT = List.of("emulate", "demo");

    private static final String NOT_IN_BOOT_IMAGE = """
              emulate, demo  the metadata emulator and the demo: not in the boot image; the JVM
                       build (agent/target/bootsecrets) and bootsecrets-native-dev have them
            """;

    /** The overview: every command, or the boot image's with a line for the others. */
    static String all(boolean development) {
        StringBuilder out = new StringBuilder("usage: bootsecrets COMMAND [OPTIONS]\n\ncommands:\n");
        COMMANDS.stream().filter(c -> development || !developmentOnly(c.name())).forEach(c -> out.append(c.block()));
        if (!development) {
            out.append(NOT_IN_BOOT_IMAGE);
        }
        return out.append('\n').append(EXIT_CODES).toString();
    }

    /** Whether a command is one the boot image leaves out. */
    static boolean developmentOnly(String name) {
        return DEVELOPMENT.contains(name);
    }

    /** One command's help, or empty for a name that is no command. */
    static Optional<String> of(String name) {
        return COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst().map(c -> {
            String help = ("usage: bootsecrets " + name + " " + c.synopsis()).strip() + "\n\n" + c.block();
            return name.equals("run") ? help + '\n' + EXIT_CODES : help;
        });
    }

    /** Whether a command's arguments ask for its help: --help or -h anywhere after the command. */
    static boolean asked(String[] args) {
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                return true;
            }
        }
        return false;
    }
}
