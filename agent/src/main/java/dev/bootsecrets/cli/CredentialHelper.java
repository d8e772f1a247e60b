package dev.bootsecrets.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.cloud.Machine;
import dev.bootsecrets.cloud.registry.RegistryException;
import dev.bootsecrets.cloud.registry.RegistryHost;
import dev.bootsecrets.cloud.registry.RegistryLogins;
import dev.bootsecrets.cloud.registry.RegistryToken;
import dev.bootsecrets.cloud.registry.TokenCache;
import dev.bootsecrets.cloud.stage.Providers;
import dev.bootsecrets.config.Config;
import dev.bootsecrets.config.ConfigException;
import dev.bootsecrets.config.ConfigLoader;
import dev.bootsecrets.config.Declarations.RegistryLogin;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.tls.SystemTrust;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code docker-credential-bootsecrets ACTION} (the agent under that name, or
 * {@code bootsecrets credential-helper ACTION}): the docker-credential-helpers protocol that
 * containers/image (podman, skopeo, bootc) and docker speak to a credential helper, answered
 * from the machine's cloud identity. {@code get} reads a server URL on stdin and prints
 * {@code {"ServerURL", "Username", "Secret"}}; {@code list} prints the registries the config
 * has this helper serve; {@code store} and {@code erase} are refused. Errors go to stdout as
 * the protocol has them (the client shows them), with exit code 1; an unknown registry gets
 * the protocol's "credentials not found" message, which tells the client to go on without.
 */
final class CredentialHelper {
    /** The name a program must be called by to be this helper. */
    static final String PROGRAM = "docker-credential-bootsecrets";
    /** The helper's name in credHelpers. */
    static final String NAME = "bootsecrets";
    /** The client checks for this exact message (docker-credential-helpers' ErrCredentialsNotFound). */
    static final String NOT_FOUND = "credentials not found in native keychain";
    /** A server URL is one line; anything longer is not read. */
    static final int MAX_INPUT = 4096;
    /** How long a get may take in all: a pull waits on it. */
    static final Duration DEADLINE = Duration.ofSeconds(20);

    private CredentialHelper() {}

    /**
     * @param argv {@code credential-helper [--root DIR] [--config FILE] [--dmi-dir DIR]
     *             [--cmdline FILE] [--verbose] ACTION}
     */
    static int run(String[] argv, InputStream in, PrintStream out) throws Args.UsageException {
        if (argv.length < 2) {
            throw new Args.UsageException("credential-helper needs an action: get, list, store, erase or version");
        }
        String action = argv[argv.length - 1];
        Args args = Args.parse(Arrays.copyOf(argv, argv.length - 1), 1,
                Set.of("root", "config", "dmi-dir", "cmdline"), Set.of("verbose"));
        Path root = Path.of(args.value("root").orElse("/"));
        Machine machine = new Machine(args.value("dmi-dir").map(Path::of).orElse(Machine.LOCAL.dmi()),
                args.value("cmdline").map(Path::of).orElse(Machine.LOCAL.cmdline()));
        try {
            return switch (action) {
                case "get" -> get(read(in), root, args.value("config").map(Path::of), machine, out);
                case "list" -> list(config(root, args.value("config").map(Path::of)), out);
                case "store", "erase" -> {
                    read(in); // the client writes its input whether or not it is wanted
                    yield fail(out, NAME + ": " + action + " is not supported: registry tokens come from the machine's"
                            + " cloud identity, nothing is stored");
                }
                case "version" -> {
                    out.println(PROGRAM + " " + BootMain.VERSION);
                    yield ExitCode.OK;
                }
                default -> fail(out, NAME + ": unknown credential action " + shown(action)
                        + " (get, list, store, erase, version)");
            };
        } catch (ConfigException e) {
            Log.error(e.getMessage());
            return fail(out, NAME + ": invalid config (" + e.errors().size() + " errors, in the log)");
        } catch (IOException e) {
            return fail(out, NAME + ": " + e.getMessage());
        }
    }

    private static int get(String serverUrl, Path rootDir, Optional<Path> configFile, Machine machine, PrintStream out)
            throws ConfigException, IOException {
        Optional<RegistryHost> host = RegistryHost.of(serverUrl);
        if (host.isEmpty()) {
            Log.info("not a registry of a cloud bootsecrets knows; no credentials");
            return fail(out, NOT_FOUND);
        }
        Config config = config(rootDir, configFile);
        Optional<String> cloud = Providers.cloud(config.settings(), machine);
        try (TargetRoot root = TargetRoot.open(rootDir); LazyClient client = new LazyClient(root)) {
            Clock clock = Clock.systemUTC();
            RegistryLogins logins = new RegistryLogins(
                    Issuers.of(config.settings(), client, clock), new TokenCache(root, clock), clock);
            Optional<RegistryToken> token = logins.get(host.get(), cloud, Deadline.in(DEADLINE));
            if (token.isEmpty()) {
                return fail(out, NOT_FOUND);
            }
            ObjectNode answer = JsonNodeFactory.instance.objectNode()
                    .put("ServerURL", serverUrl)
                    .put("Username", token.get().username())
                    .put("Secret", token.get().secret().utf8());
            byte[] bytes = JsonTree.write(answer);
            out.write(bytes);
            out.println();
            out.flush();
            Secret.wipe(bytes);
            return ExitCode.OK;
        } catch (RegistryException e) {
            Log.error(e.getMessage());
            return fail(out, NAME + ": " + e.getMessage());
        }
    }

    /**
     * The registries the image's and the machine's config have this helper serve, with their
     * user names, as {@code list} prints them ({@code {"SERVER": "USERNAME"}}).
     */
    private static int list(Config config, PrintStream out) throws IOException {
        TreeMap<String, String> served = new TreeMap<>();
        config.declarations().registries().forEach(decl -> {
            if (decl.login() instanceof RegistryLogin.Helper h && h.helper().equals(NAME)) {
                RegistryHost.of(decl.registry()).ifPresent(host -> served.put(decl.registry(), Issuers.username(host)));
            }
        });
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        served.forEach(answer::put);
        out.println(JsonTree.text(answer));
        return ExitCode.OK;
    }

    /** The image's and the machine's config layers (never user-data: the helper runs at every pull). */
    private static Config config(Path root, Optional<Path> extra) throws ConfigException {
        return ConfigLoader.load(root, extra);
    }

    private static String read(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_INPUT + 1);
        if (bytes.length > MAX_INPUT) {
            throw new IOException("the server URL on stdin is longer than " + MAX_INPUT + " bytes");
        }
        return new String(bytes, StandardCharsets.UTF_8).strip();
    }

    private static int fail(PrintStream out, String message) {
        out.println(message);
        out.flush();
        return ExitCode.INTERNAL;
    }

    /** An action is shown only when it is a plain word. */
    private static String shown(String action) {
        return action.matches("[a-z-]{1,16}") ? action : "(not shown)";
    }

    /**
     * The HTTPS client, made at its first use: a cached token needs none, and making one reads
     * the machine's CA bundle ({@link SystemTrust}), so the token services are trusted as podman
     * trusts them.
     */
    private static final class LazyClient implements RegistryLogins.Client, AutoCloseable {
        private final TargetRoot root;
        private MetadataHttp http;

        LazyClient(TargetRoot root) {
            this.root = root;
        }

        @Override
        public MetadataHttp http() throws RegistryException {
            if (http == null) {
                try {
                    http = MetadataHttp.tls(SystemTrust.context(root));
                } catch (IOException e) {
                    throw new RegistryException("no TLS: " + e.getMessage());
                } catch (GeneralSecurityException e) {
                    throw new RegistryException("no TLS in this runtime: " + e.getClass().getSimpleName());
                }
            }
            return http;
        }

        @Override
        public void close() {
            if (http != null) {
                http.close();
            }
        }
    }
}
