package dev.bootsecrets.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.testing.Tool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM build's launcher and its AOT cache, with stand-in runtimes whose {@code java} prints
 * the options it got: the cache is used only on the runtime that made it, and a jlink'ed
 * runtime of the same version is not that runtime.
 */
class LauncherTest {
    static final Path LAUNCHER = PackagingTest.ROOT.resolve("agent/src/main/sh/bootsecrets");
    static final String VERSION = "JAVA_VERSION=\"25.0.3\"\nJAVA_RUNTIME_VERSION=\"25.0.3+9-LTS\"\nOS_ARCH=\"x86_64\"\n";

    @TempDir
    Path dir;

    Path install;
    Path full;
    Path jlinked;

    @BeforeEach
    void install() throws Exception {
        install = Files.createDirectories(dir.resolve("libexec"));
        Files.copy(LAUNCHER, install.resolve("bootsecrets"));
        Files.setPosixFilePermissions(install.resolve("bootsecrets"), PosixFilePermissions.fromString("rwxr-xr-x"));
        full = runtime("full", VERSION, "java.base java.desktop java.logging java.xml jdk.httpserver");
        // jlink writes a release file with the version and the modules only
        jlinked = runtime("jlinked", "JAVA_VERSION=\"25.0.3\"\n", "java.base java.logging java.xml jdk.httpserver");
    }

    @Test
    void aCacheIsUsedOnlyOnTheRuntimeThatTrainedIt() throws Exception {
        Tool.Result training = launch(full, "train", "demo", "--dry-run");
        assertEquals(0, training.exit(), training.toString());
        assertTrue(training.out().startsWith("-XX:AOTCacheOutput=" + install.resolve("bootsecrets.aot") + " "), training.out());
        assertTrue(training.out().contains("-jar " + install.resolve("bootsecrets.jar") + " demo --dry-run"), training.out());
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(install.resolve("bootsecrets.aot"))));

        assertTrue(launch(full, "on", "version").out().contains("-XX:AOTCache=" + install.resolve("bootsecrets.aot")),
                "the runtime that made it");
        assertFalse(launch(jlinked, "on", "version").out().contains("-XX:AOTCache"), "same version, other modules");
        assertFalse(launch(full, "off", "version").out().contains("-XX:AOTCache"), "BOOTSECRETS_AOT=off");

        // An image that brings its own runtime trains the cache again with it.
        assertEquals(0, launch(jlinked, "train", "demo", "--dry-run").exit());
        assertTrue(launch(jlinked, "on", "version").out().contains("-XX:AOTCache="));
        assertFalse(launch(full, "on", "version").out().contains("-XX:AOTCache"), "the full JDK is now the other one");

        // The same modules from another version: another runtime.
        Files.writeString(jlinked.resolve("release"), "JAVA_VERSION=\"25.0.4\"\nMODULES=\"java.base java.logging java.xml jdk.httpserver\"\n");
        assertFalse(launch(jlinked, "on", "version").out().contains("-XX:AOTCache"), "an update of the runtime");
    }

    @Test
    void aFailedTrainingRunLeavesNoCache() throws Exception {
        Files.writeString(full.resolve("bin/java"), "#!/bin/sh\nexit 3\n");
        assertEquals(3, launch(full, "train", "demo", "--dry-run").exit());
        assertFalse(Files.exists(install.resolve("bootsecrets.aot.jvm")));
    }

    /** A runtime whose java creates the cache file it is asked for and prints its options. */
    private Path runtime(String name, String release, String modules) throws Exception {
        Path home = Files.createDirectories(dir.resolve(name + "/bin")).getParent();
        Files.writeString(home.resolve("release"), release + "MODULES=\"" + modules + "\"\n");
        Files.writeString(home.resolve("bin/java"), """
                #!/bin/sh
                for a in "$@"; do case $a in -XX:AOTCacheOutput=*) : >"${a#*=}" ;; esac; done
                echo "$@"
                """);
        Files.setPosixFilePermissions(home.resolve("bin/java"), PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    private Tool.Result launch(Path runtime, String aot, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(install.resolve("bootsecrets").toString()));
        command.addAll(List.of(args));
        return Tool.run(command, Map.of("BOOTSECRETS_JAVA", runtime.toString(), "BOOTSECRETS_AOT", aot), new byte[0]);
    }
}
