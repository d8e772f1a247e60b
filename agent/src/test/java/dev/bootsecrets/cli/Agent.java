package dev.bootsecrets.cli;

import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Emulated;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs the agent's command line the way tests drive it, and reads the results: in-process by
 * default, or, with {@code -Dbootsecrets.binary=PATH}, as that executable (the JVM launcher,
 * the native image, a release build), so one suite checks every build of the agent.
 */
final class Agent {
    /** The executable under test, if any: every command then runs as a process. */
    static final Optional<Path> BINARY = Optional.ofNullable(System.getProperty("bootsecrets.binary"))
            .filter(b -> !b.isBlank()).map(Path::of);

    /**
     * Where {@code emulate} and {@code demo} run, which the native boot image does not have:
     * {@code -Dbootsecrets.devBinary=PATH}, else the development image beside the binary
     * ({@code NAME-dev}, from -Pnative-dev) when there is one, else the binary itself.
     */
    static final Optional<Path> DEV_BINARY = Optional.ofNullable(System.getProperty("bootsecrets.devBinary"))
            .filter(b -> !b.isBlank()).map(Path::of)
            .or(() -> BINARY.map(b -> b.resolveSibling(b.getFileName() + "-dev")).filter(Files::isExecutable))
            .or(() -> BINARY);

    /** What one command printed and returned. */
    record Run(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private Agent() {}

    static Run main(String... args) {
        boolean development = args.length > 0 && (args[0].equals("emulate") || args[0].equals("demo"));
        return (development ? DEV_BINARY : BINARY).map(binary -> ProcessRun.run(binary, args))
                .orElseGet(() -> inProcess(args));
    }

    private static Run inProcess(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A sandbox root like the demo's: users core (1000), deploy (1001), myapp (990), /home -> var/home. */
    static Path sandbox(Path dir) throws IOException {
        return DemoCommand.sandbox(Optional.of(dir.resolve("root").toString()));
    }

    /** `bootsecrets run` against {@code url} into {@code root}, with extra options. */
    static Run run(Path root, String url, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--root", root.toString(), "--provider", "aws",
                "--metadata-url", url, "--verbose"));
        args.addAll(List.of(extra));
        return main(args.toArray(String[]::new));
    }

    /** `bootsecrets run` into {@code root} against {@code cloud} emulating AWS's sample instance with this user-data and no attributes. */
    static Run boot(Emulated cloud, Path root, byte[] userData) throws IOException {
        Scenario s = Scenario.sample("aws");
        cloud.start("aws", new Scenario(s.instanceId(), s.hostname(), s.region(), s.zone(), s.sshKeys(), Map.of(),
                Optional.of(userData), s.aws(), s.faults()));
        return run(root, cloud.emulator().url().toString());
    }

    /** `bootsecrets check --root ROOT --user-data FILE`, offline, the user-data written to a file in {@code dir}. */
    static Run check(Path dir, Path root, String userData) throws IOException {
        Path file = dir.resolve("user-data");
        Files.writeString(file, userData);
        return main("check", "--root", root.toString(), "--user-data", file.toString());
    }

    /** Every regular file under {@code root}, relative, sorted: "what is on disk". */
    static List<String> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(p -> "/" + root.relativize(p)).sorted().toList();
        }
    }

    static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    static String owner(Path file) throws IOException {
        return Files.getAttribute(file, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS) + ":"
                + Files.getAttribute(file, "unix:gid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** The AWS sample scenario with other user-data. */
    static Scenario withUserData(String userData) {
        Scenario s = Scenario.sample("aws");
        return new Scenario(s.instanceId(), s.hostname(), s.region(), s.zone(), s.sshKeys(), s.attributes(),
                Optional.of(userData.getBytes(StandardCharsets.UTF_8)), s.aws(), s.faults());
    }

    static void writeConfig(Path root, String yaml) throws IOException {
        Path file = root.resolve("etc/bootsecrets/config.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
    }

    /** The image's config layer, /usr/lib/bootsecrets/config.d/10-image.yaml: where the user-data policy is set. */
    static void writeImageConfig(Path root, String yaml) throws IOException {
        Path file = root.resolve("usr/lib/bootsecrets/config.d/10-image.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
    }

    /** An image policy that lets user-data read the image's bootstrap files. */
    static final String READ_BOOTSTRAP =
            "userData: {sources: [value, metadata, file], readPaths: [/usr/lib/bootsecrets/bootstrap/]}\n";
}
