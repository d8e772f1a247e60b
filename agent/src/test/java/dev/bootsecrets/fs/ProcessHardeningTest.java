package dev.bootsecrets.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessHardeningTest {

    /** Runs in a child JVM, so the hardening does not leak into the other tests. */
    public static void main(String[] args) throws IOException {
        ProcessHardening.apply();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Umask:")) {
                System.out.println(line.replace('\t', ' '));
            }
        }
        System.out.println("Dumpable: " + Libc.isDumpable());
    }

    @Test
    void setsUmask077AndMakesTheProcessNonDumpable() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ProcessHardeningTest.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertEquals(0, child.waitFor(), out);
        List<String> lines = out.lines().toList();
        assertTrue(lines.contains("Umask: 0077"), out);
        assertTrue(lines.contains("Dumpable: false"), out);
    }
}
