package dev.bootsecrets.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A user of this machine made for a test (name {@code rl-PREFIX-NNNNN}, never one that was
 * there before), with a home, subordinate ids for a rootless podman of their own, and a
 * runtime directory as a login would give them. {@link #remove} ends the podman pause process
 * their podman left (by its pid, once it is sure it is theirs) and deletes the user and home.
 */
public record TestUser(String name, int uid, int gid, Path home, Path runtime) {

    /** Whether users can be made here and run a rootless podman: root, useradd, runuser, newuidmap. */
    public static boolean available() {
        return "root".equals(System.getProperty("user.name"))
                && Files.isExecutable(Path.of("/usr/sbin/useradd")) && Files.isExecutable(Path.of("/usr/sbin/runuser"))
                && Files.isExecutable(Path.of("/usr/bin/newuidmap"));
    }

    /** A new user; their runtime directory is made under {@code runtimeParent} (which they must be able to reach). */
    public static TestUser create(String prefix, Path runtimeParent) throws IOException, InterruptedException {
        for (String file : List.of("/etc/subuid", "/etc/subgid")) {
            if (!Files.exists(Path.of(file))) {
                Files.createFile(Path.of(file)); // useradd gives subordinate ids only where these exist
            }
        }
        String name = "rl-" + prefix + "-" + ThreadLocalRandom.current().nextInt(10000, 100000);
        check(Tool.run(List.of("useradd", "-m", "-U", "-s", "/bin/sh", name)));
        int uid = Integer.parseInt(check(Tool.run(List.of("id", "-u", name))).out().strip());
        int gid = Integer.parseInt(check(Tool.run(List.of("id", "-g", name))).out().strip());
        Path home = Path.of(check(Tool.run(List.of("sh", "-c", "getent passwd " + name + " | cut -d: -f6"))).out().strip());
        Path runtime = runtimeParent.resolve("runtime-" + uid);
        Files.createDirectories(runtime);
        check(Tool.run(List.of("chown", uid + ":" + gid, runtime.toString())));
        check(Tool.run(List.of("chmod", "0700", runtime.toString())));
        return new TestUser(name, uid, gid, home, runtime);
    }

    /** This user's line for a target root's /etc/passwd. */
    public String passwdLine() {
        return name + ":x:" + uid + ":" + gid + "::" + home + ":/bin/sh\n";
    }

    /** Runs {@code command} as this user with exactly the session's variables and {@code extra}. */
    public Tool.Result run(Map<String, String> extra, byte[] stdin, String... command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("runuser", "-u", name, "--", "env", "-i", "HOME=" + home, "USER=" + name,
                "LOGNAME=" + name, "PATH=/usr/local/bin:/usr/bin:/bin", "XDG_RUNTIME_DIR=" + runtime));
        extra.forEach((k, v) -> argv.add(k + "=" + v));
        argv.addAll(List.of(command));
        return Tool.run(argv, Map.of(), stdin, Duration.ofMinutes(3));
    }

    public Tool.Result run(String... command) throws IOException, InterruptedException {
        return run(Map.of(), new byte[0], command);
    }

    /** Writes {@code content} as a file of this user's, under their home. */
    public void writeFile(String relative, String content) throws IOException, InterruptedException {
        Path file = home.resolve(relative);
        check(run("mkdir", "-p", file.getParent().toString()));
        check(run(Map.of(), content.getBytes(java.nio.charset.StandardCharsets.UTF_8), "sh", "-c", "cat > \"$0\"",
                file.toString()));
    }

    /** Ends the pause process this user's podman left, then deletes the user and their home. */
    public void remove() throws IOException, InterruptedException {
        Path pidFile = runtime.resolve("libpod/tmp/pause.pid");
        if (Files.isRegularFile(pidFile)) {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            Path status = Path.of("/proc/" + pid + "/status");
            if (Files.exists(status) && Files.readAllLines(status).stream()
                    .anyMatch(l -> l.matches("Uid:\\s+" + uid + "\\s.*"))) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
                ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join());
            }
        }
        Tool.run(List.of("userdel", "-r", name));
    }

    private static Tool.Result check(Tool.Result r) throws IOException {
        if (r.exit() != 0) {
            throw new IOException("exit " + r.exit() + ": " + r.stderr());
        }
        return r;
    }
}
