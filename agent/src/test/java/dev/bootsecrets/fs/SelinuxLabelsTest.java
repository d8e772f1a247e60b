package dev.bootsecrets.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import dev.bootsecrets.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SelinuxLabels against a small policy written into the test's root: libselinux reads file
 * contexts without an SELinux kernel, and a root (CAP_SYS_ADMIN) may set security.selinux on
 * a kernel without SELinux, so the labels a TargetRoot gives are checked on the files too.
 */
class SelinuxLabelsTest {
    private static final int DIR = FileStat.S_IFDIR | 0700;
    private static final int FILE = FileStat.S_IFREG | 0600;
    private static final String FILE_CONTEXTS = """
            /.*                         system_u:object_r:default_t:s0
            /etc(/.*)?                  system_u:object_r:etc_t:s0
            /home                   -d  system_u:object_r:home_root_t:s0
            /home/[^/]+             -d  unconfined_u:object_r:user_home_dir_t:s0
            /home/[^/]+/.+              unconfined_u:object_r:user_home_t:s0
            /home/[^/]+/\\.ssh(/.*)?     unconfined_u:object_r:ssh_home_t:s0
            /run(/.*)?                  system_u:object_r:var_run_t:s0
            /run/credstore(/.*)?        system_u:object_r:credstore_t:s0
            /run/credstore          --  <<none>>
            /var/lib/bootsecrets(/.*)?  system_u:object_r:bootsecrets_var_lib_t:s0
            """;

    @TempDir
    Path sandbox;
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        Assumptions.assumeTrue(libselinux(), "libselinux.so.1 is not installed");
        Log.configure(new PrintStream(logged, true, UTF_8), false);
    }

    @AfterEach
    void tearDown() {
        Log.configure(System.err, false);
    }

    @Test
    void filesAndDirectoriesGetThePolicysContextForTheirPath() throws IOException {
        policy("SELINUX=enforcing\nSELINUXTYPE=testpol\n", FILE_CONTEXTS);
        try (SelinuxLabels labels = new SelinuxLabels(sandbox, false)) {
            assertEquals("unconfined_u:object_r:ssh_home_t:s0", labels.contextFor("/home/core/.ssh", DIR));
            assertEquals("unconfined_u:object_r:ssh_home_t:s0", labels.contextFor("/home/core/.ssh/authorized_keys", FILE));
            assertEquals("unconfined_u:object_r:user_home_dir_t:s0", labels.contextFor("/home/core", DIR));
            assertEquals("system_u:object_r:credstore_t:s0", labels.contextFor("/run/credstore", DIR));
            assertEquals("system_u:object_r:credstore_t:s0", labels.contextFor("/run/credstore/token", FILE));
            assertEquals("system_u:object_r:bootsecrets_var_lib_t:s0", labels.contextFor("/var/lib/bootsecrets/store", DIR));
            assertEquals("system_u:object_r:etc_t:s0", labels.contextFor("/etc/myapp/api.key", FILE));
            assertNull(labels.contextFor("/run/credstore", FILE), "<<none>>: no label");
        }
        assertEquals("", logged.toString(UTF_8));
    }

    @Test
    void substitutionsLabelAPathAsTheOneItStandsFor() throws IOException {
        policy("SELINUXTYPE=\"testpol\"\n", FILE_CONTEXTS);
        Files.writeString(contexts("testpol").resolveSibling("file_contexts.subs_dist"), "/var/home /home\n");
        try (SelinuxLabels labels = new SelinuxLabels(sandbox, false)) {
            assertEquals("unconfined_u:object_r:ssh_home_t:s0", labels.contextFor("/var/home/core/.ssh/authorized_keys", FILE));
        }
    }

    @Test
    void aRootWithoutPolicyGetsNoLabelsAndNoMessage() throws IOException {
        try (SelinuxLabels labels = new SelinuxLabels(sandbox, true)) {
            assertFalse(labels.active());
            assertNull(labels.contextFor("/home/core/.ssh", DIR));
        }
        policy("SELINUX=disabled\nSELINUXTYPE=testpol\n", FILE_CONTEXTS);
        try (SelinuxLabels labels = new SelinuxLabels(sandbox, true)) {
            assertFalse(labels.active(), "SELINUX=disabled");
        }
        assertEquals("", logged.toString(UTF_8));
    }

    @Test
    void aPolicyThatCannotBeLoadedIsOneWarningAndEveryWriteStillHappens() throws IOException {
        Files.createDirectories(sandbox.resolve("etc/selinux"));
        Files.writeString(sandbox.resolve("etc/selinux/config"), "SELINUX=enforcing\nSELINUXTYPE=missing\n");
        try (TargetRoot root = TargetRoot.open(sandbox, real -> new SelinuxLabels(real, true))) {
            root.ensureDirectory("/run/credstore", 0, 0, 0700);
            root.write("/run/credstore/a", new byte[] {1}, 0, 0, 0400);
            root.write("/run/credstore/b", new byte[] {2}, 0, 0, 0400);
            assertFalse(root.labelsFiles());
        }
        String log = logged.toString(UTF_8);
        assertEquals(1, log.lines().count(), log);
        assertTrue(log.startsWith("<4>SELinux: the file contexts "), log);
        assertTrue(log.contains("/etc/selinux/missing/contexts/files/file_contexts could not be loaded"), log);
        assertTrue(Files.exists(sandbox.resolve("run/credstore/b")));
    }

    @Test
    void whatTheRootCreatesCarriesThoseLabels() throws IOException {
        // Without an SELinux kernel, root (CAP_SYS_ADMIN) may still set security.selinux.
        Assumptions.assumeFalse(Files.exists(Path.of("/sys/fs/selinux/enforce")), "the host's own policy would judge the labels");
        Assumptions.assumeTrue(canSetSecurityXattr(), "setting security.selinux needs CAP_SYS_ADMIN");
        policy("SELINUX=enforcing\nSELINUXTYPE=testpol\n", FILE_CONTEXTS);
        Files.createDirectories(sandbox.resolve("home/core"));
        try (TargetRoot root = TargetRoot.open(sandbox, real -> new SelinuxLabels(real, true))) {
            root.ensureDirectory("/home/core/.ssh", 1000, 1000, 0700);
            root.write("/home/core/.ssh/authorized_keys", "ssh-ed25519 AAAA\n".getBytes(UTF_8), 1000, 1000, 0600);
            root.ensureDirectory("/run/credstore", 0, 0, 0700);
            root.write("/run/credstore/token", new byte[] {1}, 0, 0, 0400);
            root.createParents("/var/lib/bootsecrets/store/key");
            root.createParents("/etc/myapp/api.key");
            root.write("/etc/myapp/api.key", new byte[] {1}, 0, 0, 0400);
        }
        assertEquals("unconfined_u:object_r:ssh_home_t:s0", label("home/core/.ssh"));
        assertEquals("unconfined_u:object_r:ssh_home_t:s0", label("home/core/.ssh/authorized_keys"));
        assertEquals("system_u:object_r:credstore_t:s0", label("run/credstore"), "-d, not the <<none>> for files");
        assertEquals("system_u:object_r:credstore_t:s0", label("run/credstore/token"));
        assertEquals("system_u:object_r:bootsecrets_var_lib_t:s0", label("var/lib/bootsecrets"));
        assertEquals("system_u:object_r:bootsecrets_var_lib_t:s0", label("var/lib/bootsecrets/store"));
        assertEquals("system_u:object_r:default_t:s0", label("var/lib"));
        assertEquals("system_u:object_r:etc_t:s0", label("etc/myapp"));
        assertEquals("system_u:object_r:etc_t:s0", label("etc/myapp/api.key"));
        assertNull(label("home/core"), "made by the test, not by the root");
        assertEquals("", logged.toString(UTF_8));
    }

    // --- helpers ---

    private void policy(String config, String fileContexts) throws IOException {
        Files.createDirectories(sandbox.resolve("etc/selinux"));
        Files.writeString(sandbox.resolve("etc/selinux/config"), config);
        Path contexts = contexts("testpol");
        Files.createDirectories(contexts.getParent());
        Files.writeString(contexts, fileContexts);
    }

    private Path contexts(String type) {
        return sandbox.resolve("etc/selinux").resolve(type).resolve("contexts/files/file_contexts");
    }

    private static boolean libselinux() {
        try {
            NativeLibrary.getInstance("libselinux.so.1");
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    private boolean canSetSecurityXattr() throws IOException {
        Path probe = Files.createFile(sandbox.resolve("probe"));
        byte[] value = "system_u:object_r:etc_t:s0\0".getBytes(UTF_8);
        int rc = NativeLibrary.getInstance("c").getFunction("lsetxattr")
                .invokeInt(new Object[] {probe.toString(), "security.selinux", value, (long) value.length, 0});
        Files.delete(probe);
        return rc == 0;
    }

    /** The security.selinux attribute of the file, without its NUL; null when it has none. */
    private String label(String relative) {
        try (Memory buffer = new Memory(256)) {
            long n = NativeLibrary.getInstance("c").getFunction("lgetxattr")
                    .invokeLong(new Object[] {sandbox.resolve(relative).toString(), "security.selinux", buffer, 256L});
            if (n < 0) {
                assertEquals(61, Native.getLastError(), "ENODATA");
                return null;
            }
            return new String(buffer.getByteArray(0, (int) n), UTF_8).replace("\0", "");
        }
    }
}
