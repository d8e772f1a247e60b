package dev.bootsecrets.cli;

import dev.bootsecrets.config.ConfigException;
import dev.bootsecrets.config.ConfigLoader;
import dev.bootsecrets.config.Offline;
import dev.bootsecrets.config.Offline.KeySealing;
import dev.bootsecrets.fs.RunLock;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code bootsecrets store verify|rekey|export-key|import-key}: the last-known-good store.
 * The key goes out on stdout and comes in on stdin, never through argv; a terminal there is
 * refused unless --force, so the key is not left on a screen or in a scrollback by mistake.
 */
final class StoreCommand {
    /** An exported key line is short; anything longer is not one. */
    static final int MAX_KEY_INPUT = 512;

    private StoreCommand() {}

    static int run(String[] argv, InputStream in, PrintStream out) throws IOException, Args.UsageException {
        if (argv.length < 2) {
            throw new Args.UsageException("store needs a subcommand: verify, rekey, export-key or import-key");
        }
        Args args = Args.parse(argv, 2, Set.of("root", "config"), Set.of("force", "verbose"));
        Path rootPath = Path.of(args.value("root").orElse("/"));
        try (TargetRoot root = TargetRoot.open(rootPath)) {
            if (!Store.exists(root)) {
                Log.error("store: there is no store (" + Store.DIR + "/index does not exist)");
                return ExitCode.INVALID;
            }
            try {
                return switch (argv[1]) {
                    case "verify" -> verify(root, out);
                    case "rekey" -> {
                        KeySealing sealing = sealing(rootPath, args);
                        try (RunLock lock = RunLock.acquire(root, BootRun.LOCK_WAIT)) {
                            List<String> refused = Store.rekey(root, sealing);
                            refused.forEach(r -> out.println("refused (left as it is): " + r));
                            out.println("rekeyed: every record that opened is sealed with the new store key");
                            yield refused.isEmpty() ? ExitCode.OK : ExitCode.PARTIAL;
                        }
                    }
                    case "export-key" -> {
                        if (!args.flag("force") && terminal(1)) {
                            Log.error("store export-key: stdout is a terminal; redirect it to a file or pipe (or --force)");
                            yield ExitCode.USAGE;
                        }
                        Secret key = Store.exportKey(root);
                        byte[] bytes = key.bytes();
                        try {
                            out.write(bytes);
                            out.flush();
                        } finally {
                            Secret.wipe(bytes);
                        }
                        yield ExitCode.OK;
                    }
                    case "import-key" -> {
                        if (!args.flag("force") && terminal(0)) {
                            Log.error("store import-key: stdin is a terminal; pipe the exported key in (or --force)");
                            yield ExitCode.USAGE;
                        }
                        KeySealing sealing = sealing(rootPath, args);
                        byte[] bytes = in.readNBytes(MAX_KEY_INPUT + 1);
                        try (RunLock lock = RunLock.acquire(root, BootRun.LOCK_WAIT)) {
                            if (bytes.length > MAX_KEY_INPUT) {
                                Log.error("store import-key: stdin is longer than an exported key");
                                yield ExitCode.INVALID;
                            }
                            Store.importKey(root, sealing, Secret.of(bytes));
                            out.println("imported: the store key is sealed on this machine");
                            yield ExitCode.OK;
                        } finally {
                            Secret.wipe(bytes);
                        }
                    }
                    default -> throw new Args.UsageException("unknown store subcommand " + argv[1]);
                };
            } catch (Store.StoreException e) {
                Log.error("store: " + e.getMessage());
                return ExitCode.INVALID;
            }
        }
    }

    private static int verify(TargetRoot root, PrintStream out) throws IOException {
        Store.Opened opened = Store.open(root);
        opened.values().keySet().forEach(name -> out.println("ok       " + name));
        opened.refused().forEach(r -> out.println("refused  " + r));
        out.println(opened.values().size() + " records verify, " + opened.refused().size() + " refused (store "
                + opened.id() + ", key " + opened.keyGeneration() + ", written " + opened.written() + ")");
        return opened.refused().isEmpty() ? ExitCode.OK : ExitCode.PARTIAL;
    }

    /** How a new key is sealed: the image's offline.key, AUTO when it says nothing. */
    private static KeySealing sealing(Path root, Args args) {
        try {
            return ConfigLoader.load(root, args.value("config").map(Path::of)).settings().offline()
                    .map(Offline::key).orElse(KeySealing.AUTO);
        } catch (ConfigException e) {
            e.errors().forEach(m -> Log.warn("config: " + m));
            return KeySealing.AUTO;
        }
    }

    /** Whether file descriptor {@code fd} of this process is a terminal. */
    static boolean terminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
