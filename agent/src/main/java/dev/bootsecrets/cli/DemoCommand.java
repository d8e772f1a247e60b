package dev.bootsecrets.cli;

import dev.bootsecrets.cloud.Machine;
import dev.bootsecrets.cloud.nocloud.NoCloudProvider;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.JoinServer;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code bootsecrets demo}: the whole boot flow against the built-in emulator, into a sandbox
 * root that looks like a small bootc machine (/home -> var/home, users core, deploy, myapp).
 * With {@code --join}, a local join service hands out a secret and the machine's certificate
 * for a one-time bootstrap token, and a second run joins again with that certificate.
 */
final class DemoCommand {
    static final String PASSWD = """
            root:x:0:0:root:/root:/bin/bash
            core:x:1000:1000:CoreOS Admin:/var/home/core:/bin/bash
            deploy:x:1001:1001::/var/home/deploy:/bin/bash
            myapp:x:990:990:my app:/var/lib/myapp:/usr/sbin/nologin
            """;
    static final String GROUP = """
            root:x:0:
            core:x:1000:
            deploy:x:1001:
            myapp:x:990:
            """;

    /** Where the NoCloud provider looks for its seed unless told otherwise. */
    static final String SEED = Settings.NoCloud.DEFAULT.seed();

    private DemoCommand() {}

    static int run(String[] argv, PrintStream out) throws IOException, Args.UsageException {
        Args args = Args.parse(argv, 1, Set.of("dir", "provider"), Set.of("verbose", "dry-run", "join"));
        boolean dryRun = args.flag("dry-run");
        if (!dryRun && !"root".equals(System.getProperty("user.name"))) {
            Log.error("demo writes files with their real owners (chown), so it runs as root"
                    + " (or bootsecrets demo --dry-run, which writes nothing)");
            return ExitCode.USAGE;
        }
        String provider = args.value("provider").orElse("aws");
        Path root = sandbox(args.value("dir"));
        // A dry run's own scratch root holds only the sample's inputs: nothing to look at afterwards.
        boolean scratch = dryRun && args.value("dir").isEmpty();
        try {
            return run(args, provider, root, dryRun, scratch, out);
        } finally {
            if (scratch) {
                remove(root);
            }
        }
    }

    private static int run(Args args, String provider, Path root, boolean dryRun, boolean scratch, PrintStream out)
            throws IOException {
        // NoCloud needs no service: its seed is written into the sandbox instead.
        boolean seed = provider.equals(NoCloudProvider.NAME);
        try (Emulator emulator = seed ? null
                : Emulator.start(provider, new InetSocketAddress("127.0.0.1", 0), Scenario.sample(provider));
                JoinServer join = args.flag("join") ? startJoin(root) : null) {
            if (seed) {
                writeSeed(root);
                out.println("NoCloud seed: " + root + SEED);
            } else {
                out.println("emulator: " + provider + " metadata service at " + emulator.url());
                writeSecretsManager(root, provider, emulator.url().toString());
            }
            if (join != null) {
                out.println("join service: " + join.url() + " (bootstrap token in " + root + JOIN_TOKEN + ")");
            }
            out.println("sandbox root: " + root + (scratch ? " (removed when the dry run ends)" : ""));
            BootRun.Options options = new BootRun.Options(root, Optional.of(provider),
                    seed ? Optional.empty() : Optional.of(emulator.url()), Optional.empty(), dryRun,
                    new Machine(root.resolve("sys/class/dmi/id"), root.resolve("proc/cmdline")));
            BootRun.Result result = BootRun.run(options);
            if (!seed) {
                out.println("metadata requests: " + emulator.log().count());
            }
            out.println();
            if (dryRun) {
                result.plan().ifPresent(plan -> Listing.plan(plan, out));
                return result.exitCode();
            }
            Listing.outcomes(result.outcomes(), out);
            out.println();
            if (join != null && result.exitCode() == ExitCode.OK) {
                BootRun.Result again = BootRun.run(options);
                out.println("join: the bootstrap token was " + (Files.exists(root.resolve(JOIN_TOKEN.substring(1)))
                        ? "kept" : "deleted once used") + "; a second run joined again with the machine's certificate"
                        + " (mutual TLS): exit " + again.exitCode());
                out.println();
            }
            out.println("exit " + result.exitCode() + " (" + Report.outcome(result.exitCode()) + "); values are never"
                    + " printed. Look inside: ls -lR " + root + "/var/home " + root + "/etc; bootsecrets status --root "
                    + root);
            return result.exitCode();
        }
    }

    /**
     * Machine config that points the secrets managers at the emulator and writes the sample's
     * secret to /etc/myapp/cloud.secret: no token or key is in the config, only the secret's name.
     */
    private static void writeSecretsManager(Path root, String provider, String emulator) throws IOException {
        write(root, "/etc/bootsecrets/config.d/40-secrets-manager.yaml", """
                # The demo's secrets manager: the emulator's, reached with the instance's identity.
                endpoints:
                  awsSecretsManager: %s
                  gcpSecretManager: %s
                  azureKeyVault: %s/keyvault/{vault}
                secrets:
                  cloud-secret: {from: "%s"}
                files:
                  /etc/myapp/cloud.secret: {secret: cloud-secret, owner: myapp, group: myapp, mode: "0400"}
                """.formatted(emulator, emulator, emulator, Emulator.sampleSecret(provider)), "rw-r--r--");
    }

    /** The sample seed at the NoCloud provider's default place, root-only like the agent's state. */
    private static void writeSeed(Path root) throws IOException {
        Path dir = root.resolve(SEED.substring(1));
        Files.createDirectories(dir);
        for (String name : new String[] {"meta-data", "user-data"}) {
            Files.write(dir.resolve(name), Scenario.sampleFile(NoCloudProvider.NAME, name));
        }
    }

    static final String JOIN_TOKEN = "/etc/bootsecrets/bootstrap/join-token";

    /**
     * A join service on 127.0.0.1, and the machine's side of it in the sandbox: the service's
     * CA, a one-time bootstrap token, and config that joins and writes the secret it gives.
     */
    private static JoinServer startJoin(Path root) throws IOException {
        String token = "demo-join-token-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
        JoinServer join;
        try {
            join = JoinServer.start(new InetSocketAddress("127.0.0.1", 0), token,
                    Map.of("db-password", "demo-db-password-0001"));
            write(root, "/etc/bootsecrets/join-ca.pem", join.caPem(), "rw-r--r--");
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot start the demo join service: " + e.getMessage(), e);
        }
        write(root, JOIN_TOKEN, token, "rw-------");
        write(root, "/etc/bootsecrets/config.d/50-join.yaml", """
                # The demo's join: a one-time bootstrap token for runtime secrets and a certificate.
                secrets:
                  join-token: {from: "file:%s"}
                  db-password: {from: "join:db-password"}
                files:
                  /etc/myapp/db.password: {secret: db-password, owner: myapp, group: myapp, mode: "0400"}
                join:
                  url: %s
                  token: join-token
                  caFile: /etc/bootsecrets/join-ca.pem
                """.formatted(JOIN_TOKEN, join.url()), "rw-r--r--");
        return join;
    }

    private static void write(Path root, String path, String content, String mode) throws IOException {
        Path file = root.resolve(path.substring(1));
        for (Path dir = file.getParent(); !dir.equals(root); dir = dir.getParent()) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }

    /** A fresh root: accounts, bootc's root-owned /home -> var/home link, home directories. */
    static Path sandbox(Optional<String> dir) throws IOException {
        Path root;
        if (dir.isPresent()) {
            root = Path.of(dir.get()).toAbsolutePath();
            Files.createDirectories(root);
            try (var entries = Files.list(root)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException("demo directory " + root + " is not empty");
                }
            }
        } else {
            root = Files.createTempDirectory("bootsecrets-demo-");
        }
        // The process runs with umask 077, so modes are set explicitly: a real root is 0755.
        for (String d : new String[] {"", "etc", "var", "var/home", "var/lib", "var/lib/myapp"}) {
            Files.createDirectories(root.resolve(d));
            Files.setPosixFilePermissions(root.resolve(d), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(root.resolve("etc/passwd"), PASSWD);
        Files.writeString(root.resolve("etc/group"), GROUP);
        for (String f : new String[] {"etc/passwd", "etc/group"}) {
            Files.setPosixFilePermissions(root.resolve(f), PosixFilePermissions.fromString("rw-r--r--"));
        }
        // As on bootc: /home and /root live in /var.
        Files.createSymbolicLink(root.resolve("home"), Path.of("var/home"));
        Files.createSymbolicLink(root.resolve("root"), Path.of("var/roothome"));
        home(root.resolve("var/roothome"), 0);
        home(root.resolve("var/home/core"), 1000);
        home(root.resolve("var/home/deploy"), 1001);
        return root;
    }

    /** Deletes the tree at {@code root} without following its links. */
    private static void remove(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static void home(Path dir, int id) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        if ("root".equals(System.getProperty("user.name"))) {
            Files.setAttribute(dir, "unix:uid", id);
            Files.setAttribute(dir, "unix:gid", id);
        }
    }
}
