package dev.bootsecrets.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

/**
 * The JVM build's layout as the RPM installs it, made from the test classpath: the launcher
 * script {@code bootsecrets}, a {@code bootsecrets.jar} beside it (here a manifest that points
 * at the compiled classes), and {@code docker-credential-bootsecrets} as a link to the
 * launcher, so that programs which find helpers on PATH run the agent by that name.
 */
public final class HelperInstall {
    private HelperInstall() {}

    /** {@link #install}, for a lambda: a failure to install fails the test. */
    public static Path installUnchecked(Path dir) {
        try {
            return Files.isDirectory(dir) ? dir : install(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Installs into {@code dir}; returns the directory to put first on PATH. */
    public static Path install(Path dir) throws IOException {
        return install(dir, false);
    }

    /**
     * {@link #install}, runnable by any user: the classpath's jar files (root's Maven
     * repository is root's only) are copied into {@code dir/lib}, and everything is readable by all.
     */
    public static Path installForAnyone(Path dir) throws IOException {
        install(dir, true);
        // Whatever umask the test process has (the agent in it sets 077).
        try (var all = Files.walk(dir)) {
            for (Path p : all.filter(p -> !Files.isSymbolicLink(p)).toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                        Files.isDirectory(p) || Files.isExecutable(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return dir;
    }

    private static Path install(Path dir, boolean copyJars) throws IOException {
        Files.createDirectories(dir);
        Path launcher = dir.resolve("bootsecrets");
        Files.copy(Path.of("src/main/sh/bootsecrets"), launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.bootsecrets.cli.Main");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH,
                Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                        .map(entry -> (copyJars ? copied(Path.of(entry), dir.resolve("lib")) : Path.of(entry))
                                .toAbsolutePath().toUri().toString())
                        .collect(Collectors.joining(" ")));
        try (OutputStream out = Files.newOutputStream(dir.resolve("bootsecrets.jar"));
                JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        Files.createSymbolicLink(dir.resolve("docker-credential-bootsecrets"), Path.of("bootsecrets"));
        return dir;
    }

    /** A jar file copied into {@code lib} (readable by all), a directory of classes as it is. */
    private static Path copied(Path entry, Path lib) {
        if (!Files.isRegularFile(entry)) {
            return entry;
        }
        try {
            Files.createDirectories(lib);
            Path copy = lib.resolve(entry.getFileName().toString()); // artifact-version.jar: one of each
            Files.copy(entry, copy);
            return copy;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
