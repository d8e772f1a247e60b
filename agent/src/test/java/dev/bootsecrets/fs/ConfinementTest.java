package dev.bootsecrets.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Confinement is applied in a child JVM (it cannot be undone), which then tries writes inside
 * and outside what a run may change, itself and through a shell it starts, and prints what the
 * kernel said to each. Needs a kernel with Landlock (this machine's and CI's have it).
 */
class ConfinementTest {

    /** The child: {@code ROOT SYSCTL}; prints one "name: ok|error" line per attempt. */
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        Path sysctl = Path.of(args[1]);
        String sysctlValue = Files.readString(sysctl);
        Map<String, Attempt> attempts = new LinkedHashMap<>();
        attempts.put("etc file", () -> Files.writeString(root.resolve("etc/new"), "x"));
        attempts.put("var subdirectory", () -> Files.createDirectories(root.resolve("var/lib/app")));
        attempts.put("home through its link", () -> Files.writeString(root.resolve("home/core/.profile"), "x"));
        attempts.put("rename within etc", () -> Files.move(root.resolve("etc/old"), root.resolve("etc/moved")));
        attempts.put("dev null", () -> Files.writeString(Path.of("/dev/null"), "x"));
        attempts.put("usr file", () -> Files.writeString(root.resolve("usr/new"), "x"));
        attempts.put("usr overwrite", () -> Files.writeString(root.resolve("usr/lib/os-release"), "x"));
        attempts.put("usr remove", () -> Files.delete(root.resolve("usr/lib/os-release")));
        attempts.put("top-level directory", () -> Files.createDirectory(root.resolve("opt")));
        attempts.put("make home", () -> Files.createDirectory(root.resolve("home")));
        attempts.put("through a link in etc", () -> Files.writeString(root.resolve("etc/to-usr/planted"), "x"));
        attempts.put("rename from etc to usr", () -> Files.move(root.resolve("etc/new"), root.resolve("usr/moved-in")));
        attempts.put("sysctl", () -> Files.writeString(sysctl, sysctlValue));
        attempts.put("child shell in etc", () -> shell("echo x >" + root.resolve("etc/from-child")));
        attempts.put("child shell in usr", () -> shell("echo x >" + root.resolve("usr/from-child")));

        boolean confine = args.length > 2 && args[2].equals("confine");
        if (confine) {
            System.out.println("abi: " + Confinement.apply(root).orElse(0));
        }
        for (Map.Entry<String, Attempt> attempt : attempts.entrySet()) {
            String result;
            try {
                attempt.getValue().run();
                result = "ok";
            } catch (IOException e) {
                result = "error";
            }
            System.out.println(attempt.getKey() + ": " + result);
        }
    }

    private interface Attempt {
        void run() throws Exception;
    }

    private static void shell(String command) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IOException("exit " + p.exitValue());
        }
    }

    private static final List<String> ALLOWED = List.of("etc file", "var subdirectory", "home through its link",
            "rename within etc", "dev null", "child shell in etc");
    private static final List<String> REFUSED = List.of("usr file", "usr overwrite", "usr remove",
            "top-level directory", "through a link in etc", "rename from etc to usr", "sysctl", "child shell in usr");

    @Test
    void writesReachOnlyWhereOutputsGo(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isWritable(Path.of("/proc/sys/kernel/printk_ratelimit")), "needs root and a writable /proc/sys");
        Map<String, String> free = probe(root(dir.resolve("free")), false);
        Map<String, String> confined = probe(root(dir.resolve("confined")), true);

        // The same attempts, unconfined, all succeed: each refusal below is Landlock's.
        for (String name : REFUSED) {
            assertEquals("ok", free.get(name), "unconfined: " + name);
        }
        assertTrue(Integer.parseInt(confined.get("abi")) >= 1, confined.toString());
        for (String name : ALLOWED) {
            assertEquals("ok", confined.get(name), name + " " + confined);
        }
        for (String name : REFUSED) {
            assertEquals("error", confined.get(name), name + " " + confined);
        }
        Path root = dir.resolve("confined");
        assertEquals("ID=test\n", Files.readString(root.resolve("usr/lib/os-release")));
        assertFalse(Files.exists(root.resolve("usr/new")));
        assertFalse(Files.exists(root.resolve("usr/planted")));
        assertFalse(Files.exists(root.resolve("usr/moved-in")));
        assertEquals("x", Files.readString(root.resolve("etc/new")));
        assertFalse(Files.exists(root.resolve("usr/from-child")));
        assertFalse(Files.exists(root.resolve("opt")));
        assertEquals("x\n", Files.readString(root.resolve("etc/from-child")));
        assertEquals("x", Files.readString(root.resolve("var/home/core/.profile")));
    }

    @Test
    void anEmptyRootGetsEtcRunAndVarAndNothingElse(@TempDir Path dir) throws Exception {
        Map<String, String> free = probe(Files.createDirectories(dir.resolve("free")), false);
        Path root = Files.createDirectories(dir.resolve("bare"));
        Map<String, String> confined = probe(root, true);
        assertEquals("ok", free.get("make home"), free.toString());
        assertEquals("error", confined.get("make home"), confined.toString());
        assertEquals("error", confined.get("top-level directory"), confined.toString());
        assertEquals("ok", confined.get("etc file"), confined.toString());
        assertEquals("ok", confined.get("var subdirectory"), confined.toString());
        assertEquals(List.of("etc", "run", "var"), Files.list(root).map(p -> p.getFileName().toString()).sorted().toList());
        assertEquals("rwxr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("run"))));
    }

    /** A target root: etc (with a link to usr planted in it), var, home -> var/home, and a usr with one file. */
    private static Path root(Path root) throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/old"), "old");
        Files.createDirectories(root.resolve("var/home/core"));
        Files.createSymbolicLink(root.resolve("home"), Path.of("var/home"));
        Files.createDirectories(root.resolve("usr/lib"));
        Files.writeString(root.resolve("usr/lib/os-release"), "ID=test\n");
        Files.createSymbolicLink(root.resolve("etc/to-usr"), root.resolve("usr"));
        return root;
    }

    private static Map<String, String> probe(Path root, boolean confine) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ConfinementTest.class.getName(),
                root.toString(), "/proc/sys/kernel/printk_ratelimit", confine ? "confine" : "free")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.waitFor(), out);
        Map<String, String> results = new LinkedHashMap<>();
        out.lines().map(line -> line.split(": ", 2)).forEach(kv -> results.put(kv[0], kv[1]));
        return results;
    }
}
