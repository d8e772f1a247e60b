package dev.bootsecrets.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local user plants a directory of their own where an output's missing parent would be made,
 * in a directory anyone may write (/var/tmp survives reboots): the agent must not write a
 * root-owned file into it, since its owner could then swap that file for their own.
 */
class PlantedDirectoryAttackTest {
    private static final int USER = 1000;

    @TempDir
    Path sandbox;

    TargetRoot root;
    Path varTmp;

    @BeforeEach
    void openRoot() throws IOException {
        varTmp = sandbox.resolve("var/tmp");
        Files.createDirectories(varTmp);
        Files.setPosixFilePermissions(varTmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setAttribute(varTmp, "unix:mode", 01777);
        root = TargetRoot.open(sandbox);
    }

    @AfterEach
    void closeRoot() {
        root.close();
    }

    @Test
    void aRootFileIsNotWrittenIntoADirectoryAUserPlantedInVarTmp() throws IOException {
        Path planted = plant(varTmp.resolve("app"));

        UnsafePathException e = assertThrows(UnsafePathException.class,
                () -> root.write(root.place("/var/tmp/app/token"), bytes("s3cret\n"), 0, 0, 0600));

        assertTrue(e.getMessage().contains("/var/tmp/app belongs to uid " + USER), e.getMessage());
        assertEquals(List.of(), names(planted));
    }

    @Test
    void norWhenItIsPlantedBetweenThePlanAndTheWrite() throws IOException {
        Place judged = root.place("/var/tmp/app/token"); // missing yet: the writer would make it root's
        Path planted = plant(varTmp.resolve("app"));

        assertThrows(UnsafePathException.class, () -> root.write(judged, bytes("s3cret\n"), 0, 0, 0600));

        assertEquals(List.of(), names(planted));
    }

    @Test
    void norIntoADirectoryUnderIt() throws IOException {
        Path planted = plant(varTmp.resolve("app"));
        Files.createDirectory(planted.resolve("conf"));

        assertThrows(UnsafePathException.class,
                () -> root.write(root.place("/var/tmp/app/conf/token"), bytes("s3cret\n"), 0, 0, 0600));
        assertThrows(UnsafePathException.class,
                () -> root.ensureDirectory(root.place("/var/tmp/app/conf.d"), 0, 0, 0700, true));

        assertEquals(List.of("conf"), names(planted));
        assertEquals(List.of(), names(planted.resolve("conf")));
    }

    @Test
    void aGroupWritableDirectoryIsOpenToPlantsToo() throws IOException {
        Path spool = sandbox.resolve("var/spool");
        Files.createDirectories(spool);
        Files.setAttribute(spool, "unix:mode", 01775);
        Path planted = plant(spool.resolve("app"));

        assertThrows(UnsafePathException.class,
                () -> root.write("/var/spool/app/token", bytes("s3cret\n"), 0, 0, 0600));

        assertEquals(List.of(), names(planted));
    }

    @Test
    void theDirectorysOwnerStillGetsTheirOwnFilesInIt() throws IOException {
        Path planted = plant(varTmp.resolve("app"));

        assertEquals(Change.CREATED, root.write(root.place("/var/tmp/app/token"), bytes("theirs\n"), USER, USER, 0600));

        assertEquals("theirs\n", Files.readString(planted.resolve("token")));
    }

    @Test
    void aMissingParentInVarTmpIsMadeByRootAndWrittenInto() throws IOException {
        assertEquals(Change.CREATED, root.write(root.place("/var/tmp/app/token"), bytes("s3cret\n"), 0, 0, 0600));

        Path app = varTmp.resolve("app");
        assertEquals(0, Files.getAttribute(app, "unix:uid", NOFOLLOW_LINKS));
        assertEquals("s3cret\n", Files.readString(app.resolve("token")));
    }

    @Test
    void aServicesOwnDirectoryPlacedByRootStillTakesRootFiles() throws IOException {
        Path service = sandbox.resolve("var/lib/svc");
        Files.createDirectories(service);
        Files.setAttribute(service, "unix:uid", USER);

        assertEquals(Change.CREATED, root.write("/var/lib/svc/key", bytes("s3cret\n"), 0, USER, 0640));

        assertTrue(Files.exists(service.resolve("key")));
    }

    /** ~/.ssh/authorized_keys made a FIFO: merging its lines must not wait for a writer that never comes. */
    @Test
    @Timeout(60) // a hang fails the test instead of the build
    void aFifoAsAuthorizedKeysIsRefusedWithoutWaiting() throws Exception {
        Path ssh = Files.createDirectories(sandbox.resolve("var/home/core/.ssh"));
        Path keys = ssh.resolve("authorized_keys");
        assertEquals(0, new ProcessBuilder("mkfifo", keys.toString()).start().waitFor());
        Files.setAttribute(keys, "unix:uid", USER, NOFOLLOW_LINKS);

        UnsafePathException e = assertThrows(UnsafePathException.class,
                () -> root.readToMerge(root.place("/var/home/core/.ssh/authorized_keys"), 1 << 20, USER));

        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    private static Path plant(Path dir) throws IOException {
        Files.createDirectory(dir);
        Files.setAttribute(dir, "unix:mode", 0777);
        Files.setAttribute(dir, "unix:uid", USER);
        Files.setAttribute(dir, "unix:gid", USER);
        assertFalse(Files.isSymbolicLink(dir));
        return dir;
    }

    private static List<String> names(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
