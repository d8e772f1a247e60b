package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.testing.Emulated;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image lets user-data read files from a service's directory (readPaths), which that
 * service's user owns. That user hard-links a file they cannot read (/etc/shadow, where
 * fs.protected_hardlinks is 0; the test runs as root, so the kernel lets it) under a name
 * there: user-data's {@code file:} source must not copy it out, though its name is allowed.
 * Nor may a FIFO or a device planted there hang the boot or feed it without end.
 */
class FileSourceAttackTest {
    static final String SHADOW = "root:$6$shadow-hash-7c1d9e:19000:0:99999:7:::\n";
    static final String USER_DATA = """
            #cloud-config
            bootsecrets:
              secrets: {s: {from: "file:/var/lib/myapp/export"}}
              files: {/etc/myapp/copy: {secret: s, mode: "0644"}}
            """;

    @TempDir
    Path dir;
    Path root;
    Path service;
    @RegisterExtension
    final Emulated cloud = new Emulated();

    @BeforeEach
    void sandbox() throws IOException {
        root = Agent.sandbox(dir);
        Files.writeString(root.resolve("etc/shadow"), SHADOW);
        Files.setAttribute(root.resolve("etc/shadow"), "unix:mode", 0000);
        service = root.resolve("var/lib/myapp");
        Files.createDirectories(service);
        Files.setAttribute(service, "unix:uid", 1000);
        Agent.writeImageConfig(root, "userData: {writePaths: [/etc/myapp/], sources: [value, metadata, file],"
                + " readPaths: [/var/lib/myapp/, /usr/lib/myapp/]}\n");
    }

    Agent.Run boot(String userData) throws Exception {
        return Agent.boot(cloud, root, userData.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aHardLinkPlantedInAUsersDirectoryIsNotCopiedOut() throws Exception {
        Files.createLink(service.resolve("export"), root.resolve("etc/shadow"));

        Agent.Run run = boot(USER_DATA);

        assertFalse(Files.exists(root.resolve("etc/myapp/copy")), run.all());
        assertTrue(run.err().contains("/var/lib/myapp/export: has 2 hard links in a directory others can write"), run.all());
        for (String file : Agent.files(root)) {
            if (!file.equals("/etc/shadow") && !file.equals("/var/lib/myapp/export")) { // the file and its planted link
                assertFalse(Files.readString(root.resolve(file.substring(1))).contains("shadow-hash"), file);
            }
        }
    }

    @Test
    void theUsersOwnFileThereIsCopied() throws Exception {
        Files.writeString(service.resolve("export"), "service-export-41ab\n");

        Agent.Run run = boot(USER_DATA);

        assertEquals(ExitCode.OK, run.exit(), run.all());
        assertEquals("service-export-41ab\n", Files.readString(root.resolve("etc/myapp/copy")));
    }

    @Test
    void hardLinksOnlyRootCouldMakeAreRead() throws Exception {
        // ostree deploys /usr as hard links into its repository
        Path usr = Files.createDirectories(root.resolve("usr/lib/myapp"));
        Files.writeString(usr.resolve("export"), "image-export-52bc\n");
        Files.createLink(root.resolve("usr/lib/myapp/export.repo"), usr.resolve("export"));

        Agent.Run run = boot(USER_DATA.replace("/var/lib/myapp/", "/usr/lib/myapp/"));

        assertEquals(ExitCode.OK, run.exit(), run.all());
        assertEquals("image-export-52bc\n", Files.readString(root.resolve("etc/myapp/copy")));
    }

    /** A FIFO (no writer: a read would wait for ever) or /dev/zero's device (a read never ends). */
    @ParameterizedTest
    @ValueSource(strings = {"mkfifo %s", "mknod %s c 1 5"})
    @Timeout(120) // a hang fails the test instead of the build
    void aFifoOrADeviceThereIsRefusedWithoutWaiting(String make) throws Exception {
        Path planted = service.resolve("export");
        assertEquals(0, new ProcessBuilder(make.formatted(planted).split(" ")).start().waitFor());

        Agent.Run run = boot(USER_DATA);

        assertFalse(Files.exists(root.resolve("etc/myapp/copy")), run.all());
        assertTrue(run.err().contains("/var/lib/myapp/export: not a regular file"), run.all());
    }
}
