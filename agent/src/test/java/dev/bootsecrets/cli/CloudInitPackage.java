package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Debian's cloud-init 22.4 package as scripts/setup unpacks it (installed nowhere): its
 * examples and its code. Missing, the tests that need it fail in CI and are skipped elsewhere.
 */
final class CloudInitPackage {
    static final Path DIR = Path.of(System.getProperty("bootsecrets.cloudInit", "/var/cache/bootsecrets-tests/cloud-init"));
    static final Path EXAMPLES = DIR.resolve("usr/share/doc/cloud-init/examples");
    /** Where the cloudinit Python package is. */
    static final Path PYTHON = DIR.resolve("usr/lib/python3/dist-packages");

    private CloudInitPackage() {}

    /** Fails in CI, skips elsewhere, when scripts/setup has not unpacked the package. */
    static void require() {
        if (Files.isDirectory(EXAMPLES) && Files.isDirectory(PYTHON.resolve("cloudinit"))) {
            return;
        }
        String why = "cloud-init's package is not unpacked at " + DIR + " (run scripts/setup as root)";
        if ("true".equals(System.getenv("CI"))) {
            fail(why);
        }
        assumeTrue(false, why);
    }

    /** The examples' names as upstream has them (Debian gzips the larger ones: NAME.txt.gz). */
    static List<String> examples() throws IOException {
        require();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString().replaceFirst("\\.gz$", ""))
                    .sorted().toList();
        }
    }

    /** An example's text, unpacked if Debian gzipped it. */
    static byte[] example(String name) throws IOException {
        Path plain = EXAMPLES.resolve(name);
        if (Files.exists(plain)) {
            return Files.readAllBytes(plain);
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(EXAMPLES.resolve(name + ".gz")))) {
            return in.readAllBytes();
        }
    }
}
