package dev.bootsecrets.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Debian's podman with a storage of its own under a test directory (never the host's), runc
 * (crun refuses the hybrid cgroups of these machines) with explicit limits, no network, and a
 * busybox image made offline ({@link #importBusybox}).
 */
public final class PodmanSandbox {
    public static final Path PODMAN = Path.of("/usr/bin/podman");
    public static final String IMAGE = "localhost/bootsecrets-test/busybox:1";
    /** podman's settings for these machines: runc, limits it can set, no systemd or journal needed. */
    public static final String CONTAINERS_CONF = """
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
            [engine]
            runtime = "runc"
            cgroup_manager = "cgroupfs"
            events_logger = "file"
            """;
    private final Path dir;

    private PodmanSandbox(Path dir) {
        this.dir = dir;
    }

    /** Whether this machine can run the podman tests: root, podman, runc and a static busybox. */
    public static boolean available() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(PODMAN)
                && Files.isExecutable(Path.of("/usr/sbin/runc")) && Files.isExecutable(Path.of("/bin/busybox"));
    }

    public static PodmanSandbox create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("containers.conf"), CONTAINERS_CONF);
        Files.writeString(dir.resolve("storage.conf"), """
                [storage]
                driver = "vfs"
                graphroot = "%s"
                runroot = "%s"
                """.formatted(dir.resolve("graph"), dir.resolve("runroot")));
        return new PodmanSandbox(dir);
    }

    /** What podman and the agent's {@code podman-secret sync} are given: where this sandbox's configuration is. */
    public Map<String, String> env() {
        return Map.of("CONTAINERS_CONF", dir.resolve("containers.conf").toString(),
                "CONTAINERS_STORAGE_CONF", dir.resolve("storage.conf").toString());
    }

    /** podman's own storage (its database, images, containers) and its run-time state. */
    public List<Path> storage() {
        return List.of(dir.resolve("graph"), dir.resolve("runroot"));
    }

    public Tool.Result podman(String... args) throws IOException, InterruptedException {
        return podman(new byte[0], args);
    }

    public Tool.Result podman(byte[] stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PODMAN.toString()));
        command.addAll(List.of(args));
        return Tool.run(command, env(), stdin, Duration.ofMinutes(3));
    }

    /** {@link #IMAGE}: a root with busybox and its applets, tarred and imported (no registry, no network). */
    public void importBusybox() throws IOException, InterruptedException {
        Tool.Result imported = podman("import", busyboxTar(dir).toString(), IMAGE);
        if (imported.exit() != 0) {
            throw new IOException("podman import: " + imported);
        }
    }

    /** A root with busybox and its applets, tarred in {@code dir} for {@code podman import}; readable by all. */
    public static Path busyboxTar(Path dir) throws IOException, InterruptedException {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("busybox"));
        for (String applet : List.of("sh", "cat", "stat", "echo", "id")) {
            Files.createSymbolicLink(rootfs.resolve(applet), Path.of("busybox"));
        }
        Path tar = dir.resolve("rootfs.tar");
        Tool.Result made = Tool.run(List.of("tar", "-C", dir.resolve("rootfs").toString(), "-cf", tar.toString(), "."));
        if (made.exit() != 0) {
            throw new IOException("tar: " + made);
        }
        Files.setPosixFilePermissions(tar, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        return tar;
    }

    /** The files under podman's storage whose bytes hold {@code text}. */
    public List<Path> filesHolding(String text) throws IOException {
        return filesHolding(storage(), text);
    }

    /** The files under {@code tops} whose bytes hold {@code text}. */
    public static List<Path> filesHolding(List<Path> tops, String text) throws IOException {
        byte[] needle = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<Path> out = new ArrayList<>();
        for (Path top : tops) {
            if (!Files.isDirectory(top)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(top)) {
                for (Path p : walk.filter(Files::isRegularFile).toList()) {
                    if (contains(Files.readAllBytes(p), needle)) {
                        out.add(p);
                    }
                }
            }
        }
        return out;
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
