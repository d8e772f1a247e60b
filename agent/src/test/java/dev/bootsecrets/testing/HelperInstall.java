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
        Files.createDirectories(dir);
        Path launcher = dir.resolve("bootsecrets");
        Files.copy(Path.of("src/main/sh/bootsecrets"), launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.bootsecrets.cli.Main");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH,
                Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                        .map(entry -> Path.of(entry).toAbsolutePath().toUri().toString())
                        .collect(Collectors.joining(" ")));
        try (OutputStream out = Files.newOutputStream(dir.resolve("bootsecrets.jar"));
                JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        Files.createSymbolicLink(dir.resolve("docker-credential-bootsecrets"), Path.of("bootsecrets"));
        return dir;
    }
}
