package dev.bootsecrets.fs;

import com.sun.jna.Platform;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where JNA's native helper (libjnidispatch.so) comes from. Left to itself, JNA unpacks the
 * copy inside its jar (or inside the native image) into a cache directory under $HOME or /tmp
 * at every start, which fails where those are read-only or not mounted yet in early boot. The
 * builds ship the helper beside the executable, in {@code lib/jna/PLATFORM/}, and JNA loads it
 * from there without unpacking anything. Without a shipped copy (the classes run from a build
 * tree, a bare binary copied elsewhere), JNA keeps its own way.
 */
final class JnaHelper {
    static final String FILE = "libjnidispatch.so";

    private JnaHelper() {}

    /** Points JNA at the shipped helper if there is one; must run before JNA's first native call. */
    static synchronized void useShipped() {
        if (System.getProperty("jna.boot.library.path") != null) {
            return; // set already: by an earlier call, or by whoever started the process
        }
        shipped(home(), Platform.RESOURCE_PREFIX).ifPresent(dir -> {
            System.setProperty("jna.boot.library.path", dir.toString());
            System.setProperty("jna.nounpack", "true"); // also skips sweeping the cache directory
            System.setProperty("jna.nosys", "true");
        });
    }

    /** The directory holding the helper for {@code platform} under {@code home}, if it is there. */
    static Optional<Path> shipped(Optional<Path> home, String platform) {
        return home.map(h -> h.resolve("lib/jna").resolve(platform)).filter(dir -> Files.isRegularFile(dir.resolve(FILE)));
    }

    /** The directory of the executable: the native image's own file, or the JVM build's bootsecrets.jar. */
    private static Optional<Path> home() {
        try {
            if (System.getProperty("org.graalvm.nativeimage.imagecode") != null) {
                return Optional.ofNullable(Path.of("/proc/self/exe").toRealPath().getParent());
            }
            var source = JnaHelper.class.getProtectionDomain().getCodeSource();
            return source == null ? Optional.empty() : Optional.ofNullable(Path.of(source.getLocation().toURI()).getParent());
        } catch (java.io.IOException | URISyntaxException | SecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
