package dev.bootsecrets.output;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Keeps podman's secrets in step with the values the run left in {@link PodmanSecrets#DIR}:
 * each is registered with podman's shell driver, whose commands run this agent
 * ({@code podman-secret lookup NAME}), so podman's database holds the name and the commands,
 * never a value; a secret the agent registered (it carries {@link #LABEL}) whose value is gone
 * is removed; a secret of the same name the agent did not make is left alone and reported.
 * A registration that is already right makes no change, so a second sync only reads.
 *
 * <p>It runs as a command of its own after the run, since podman needs what the run's
 * confinement takes away (its storage, its locks in /dev/shm).
 *
 * @param podman  the podman program
 * @param program the agent, as the driver's commands run it
 * @param env     podman's environment: a fixed PATH and the CONTAINERS_* settings of the caller
 */
public record PodmanRegistration(Path podman, String program, Map<String, String> env) {
    /** The label on every secret the agent registered: only these are ever replaced or removed. */
    public static final String LABEL = "dev.bootsecrets.managed";
    /** Names the agent has registered, so a boot with none declared asks podman only when some may be left. */
    public static final String REGISTERED = "/var/lib/bootsecrets/podman-secrets";
    /** podman wants some input for a new secret; the driver's store command throws it away. */
    private static final byte[] PLACEHOLDER = "value served by bootsecrets\n".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,252}");
    /** What a word of the driver's commands may hold unquoted; podman's --driver-opts splits at ',' and reads '"'. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./+:@-]+");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What a user's own (rootless) podman also needs of its caller's environment: where the user's files and session are. */
    private static final List<String> USER_SESSION = List.of("HOME", "USER", "LOGNAME", "XDG_RUNTIME_DIR",
            "XDG_CONFIG_HOME", "XDG_DATA_HOME", "DBUS_SESSION_BUS_ADDRESS");

    /**
     * The variables podman is given from the caller's environment: where its configuration is,
     * and for a user's own podman ({@code user}) where that user's home and session are; never a value.
     */
    public static Map<String, String> environment(Map<String, String> callers, boolean user) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        List<String> names = new ArrayList<>(List.of("CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF", "CONTAINERS_REGISTRIES_CONF"));
        if (user) {
            names.addAll(USER_SESSION);
        }
        for (String name : names) {
            Optional.ofNullable(callers.get(name)).ifPresent(v -> env.put(name, v));
        }
        return env;
    }

    /** What podman has under one name. */
    private record Existing(String name, boolean ours, Map<String, String> options) {}

    /**
     * Registers, re-registers and removes until podman matches the value files: root's
     * ({@link PodmanSecrets#DIR}), or with {@code uid} that user's own
     * ({@link PodmanSecrets#userDir}), this process being that user and podman theirs.
     *
     * @return the errors, one per secret left wrong (empty when podman matches)
     */
    public List<String> sync(TargetRoot root, OptionalInt uid) throws IOException {
        String dir = uid.isPresent() ? PodmanSecrets.userDir(uid.getAsInt()) : PodmanSecrets.DIR;
        Optional<List<String>> files = root.list(dir);
        TreeSet<String> served = new TreeSet<>();
        for (String name : files.orElse(List.of())) {
            if (NAME.matcher(name).matches()) {
                served.add(name);
            }
        }
        // A user's directory, once made, stays: while it is there, podman is asked (to prune too).
        boolean before = uid.isPresent() ? files.isPresent() : root.read(REGISTERED, 1 << 20).isPresent();
        if (served.isEmpty() && !before) {
            Log.debug("podman secrets: none declared, none registered before; podman not asked");
            return List.of();
        }
        if (!java.nio.file.Files.isExecutable(podman)) {
            return List.of("podman secrets: " + podman + " is not installed, so " + (served.isEmpty() ? "none is removed"
                    : String.join(", ", served) + " cannot be registered"));
        }
        String driverArgs = (uid.isPresent() ? " --uid " + uid.getAsInt() : "")
                + (root.root().equals(Path.of("/")) ? "" : " --root " + word(root.root().toString()));
        Map<String, Existing> existing = existing();
        List<String> errors = new ArrayList<>();
        TreeSet<String> ours = new TreeSet<>();
        for (String name : served) {
            Map<String, String> wanted = options(name, driverArgs);
            Existing now = existing.get(name);
            if (now != null && !now.ours()) {
                errors.add("podman secret " + name + ": podman already has a secret of this name that bootsecrets did not"
                        + " make; it is left as it is (remove it, or declare another name)");
                continue;
            }
            if (now != null && now.options().equals(wanted)) {
                ours.add(name);
                continue;
            }
            try {
                if (now != null) {
                    podman(List.of("secret", "rm", name));
                }
                create(name, wanted);
                ours.add(name);
                Log.info((now == null ? "registered" : "re-registered") + " podman secret " + name
                        + " (shell driver: bootsecrets podman-secret lookup " + name + driverArgs + ")");
            } catch (IOException e) {
                errors.add("podman secret " + name + ": " + e.getMessage());
            }
        }
        for (Existing e : existing.values()) {
            if (e.ours() && !served.contains(e.name())) {
                try {
                    podman(List.of("secret", "rm", e.name()));
                    Log.info("removed podman secret " + e.name() + " (no longer declared)");
                } catch (IOException x) {
                    errors.add("podman secret " + e.name() + ": not removed: " + x.getMessage());
                    ours.add(e.name());
                }
            }
        }
        if (uid.isEmpty()) {
            record(root, ours);
        }
        return errors;
    }

    /** The driver's four commands for {@code name}: each runs the agent, which knows where the value is. */
    Map<String, String> options(String name, String args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String action : List.of("list", "lookup", "store", "delete")) {
            out.put(action, word(program) + " podman-secret " + action + " " + name + args);
        }
        return out;
    }

    private void create(String name, Map<String, String> options) throws IOException {
        List<String> args = new ArrayList<>(List.of("secret", "create", "--driver", "shell", "--label", LABEL + "=true"));
        options.forEach((k, v) -> args.addAll(List.of("--driver-opts", k + "=" + v)));
        args.addAll(List.of(name, "-"));
        run(args, PLACEHOLDER);
    }

    /** Every secret podman has, by name; two calls that only read. */
    private Map<String, Existing> existing() throws IOException {
        Map<String, Existing> out = new HashMap<>();
        List<String> ids = new String(podman(List.of("secret", "ls", "--format", "{{.ID}}")), StandardCharsets.UTF_8)
                .lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (ids.isEmpty()) {
            return out;
        }
        List<String> args = new ArrayList<>(List.of("secret", "inspect"));
        args.addAll(ids);
        JsonNode all = JsonTree.read(podman(args));
        for (JsonNode secret : all) {
            JsonNode spec = secret.path("Spec");
            Map<String, String> options = new LinkedHashMap<>();
            if (spec.path("Driver").path("Name").asText().equals("shell")) {
                spec.path("Driver").path("Options").properties().forEach(o -> options.put(o.getKey(), o.getValue().asText()));
            }
            String name = spec.path("Name").asText();
            out.put(name, new Existing(name, spec.path("Labels").has(LABEL), options));
        }
        return out;
    }

    private byte[] podman(List<String> args) throws IOException {
        return run(args, new byte[0]);
    }

    private byte[] run(List<String> args, byte[] stdin) throws IOException {
        List<String> command = new ArrayList<>(List.of(podman.toString()));
        command.addAll(args);
        ChildProcess.Result r = ChildProcess.run(command, env, stdin, TIMEOUT);
        if (r.exit() != 0) {
            throw new IOException("podman " + args.get(0) + " " + args.get(1) + " failed (exit " + r.exit() + r.reason() + ")");
        }
        return r.stdout();
    }

    /** Keeps the names registered now, or removes the record when there are none. */
    private static void record(TargetRoot root, TreeSet<String> names) throws IOException {
        if (names.isEmpty()) {
            root.remove(REGISTERED);
            return;
        }
        root.ensureDirectory("/var/lib/bootsecrets", 0, 0, 0700);
        root.write(REGISTERED, (String.join("\n", names) + "\n").getBytes(StandardCharsets.UTF_8), 0, 0, 0600);
        root.syncDirectories();
    }

    /** {@code text} as one word of a shell command line, quoted when it needs to be. */
    static String word(String text) {
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\'') >= 0 || text.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a path with ',', quotes or a newline cannot be a word of podman's"
                    + " --driver-opts: " + text.replaceAll("[^A-Za-z0-9_./-]", "?"));
        }
        return PLAIN.matcher(text).matches() ? text : "'" + text + "'";
    }
}
