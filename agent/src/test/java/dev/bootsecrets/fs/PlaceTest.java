package dev.bootsecrets.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a path really is ({@link TargetRoot#place}), and the writer reaching that place again without following links. */
class PlaceTest {
    @TempDir
    Path sandbox;
    TargetRoot root;

    @BeforeEach
    void open() throws Exception {
        for (String d : new String[] {"run", "var/home/core", "usr/lib"}) {
            Files.createDirectories(sandbox.resolve(d));
        }
        Files.createSymbolicLink(sandbox.resolve("var/run"), Path.of("../run"));
        Files.createSymbolicLink(sandbox.resolve("home"), Path.of("var/home"));
        Files.createSymbolicLink(sandbox.resolve("var/abs"), Path.of("/usr/lib"));
        Files.createSymbolicLink(sandbox.resolve("var/hop"), Path.of("abs"));
        root = TargetRoot.open(sandbox);
    }

    @AfterEach
    void close() {
        root.close();
    }

    @Test
    void aPlaceIsWhereTheWriterWouldReallyWrite() throws Exception {
        assertEquals(new Place("/var/run/credstore/x", "/run/credstore/x"), root.place("/var/run/credstore/x"));
        assertEquals(new Place("/home/core/.ssh/a", "/var/home/core/.ssh/a"), root.place("/home/core/.ssh/a"));
        assertEquals("/usr/lib/x", root.place("/var/abs/x").real(), "an absolute target is re-rooted at the target root");
        assertEquals("/usr/lib/a/b/c", root.place("/var/hop/a/b/c").real(), "two levels, missing tail as spelled");
        assertFalse(root.place("/etc/x").moved());
        assertEquals("/var/run", root.place("/var/run").real(), "a link at the end of a write is the place itself");
        assertEquals("/run", root.placeToRead("/var/run").real(), "a read or a directory follows it");
    }

    @Test
    void aLinkIntoAMissingDirectoryCannotLeaveDotDotInAPlace() throws Exception {
        Files.createSymbolicLink(sandbox.resolve("var/up"), Path.of("missing/../../usr"));
        assertThrows(UnsafePathException.class, () -> root.place("/var/up/x"));
    }

    @Test
    void aLinkAUserPlantedIsRefusedNotResolved() throws Exception {
        Path planted = sandbox.resolve("var/home/core/etc");
        Files.createSymbolicLink(planted, Path.of("/etc"));
        Files.setAttribute(planted, "unix:uid", 1000, LinkOption.NOFOLLOW_LINKS);
        UnsafePathException e = assertThrows(UnsafePathException.class, () -> root.place("/home/core/etc/passwd"));
        assertTrue(e.getMessage().contains("symlink planted at /var/home/core/etc"), e.getMessage());
    }

    @Test
    void aLinkMadeAfterThePlaceWasJudgedIsNotFollowed() throws Exception {
        Place judged = root.place("/var/lib/app/token");
        assertEquals("/var/lib/app/token", judged.real());
        // root makes a link there between plan and apply (another root process, a package script)
        Files.createDirectories(sandbox.resolve("var/lib"));
        Files.createSymbolicLink(sandbox.resolve("var/lib/app"), Path.of("/usr/lib"));
        byte[] content = "x".getBytes(StandardCharsets.UTF_8);
        UnsafePathException e = assertThrows(UnsafePathException.class, () -> root.write(judged, content, 0, 0, 0600));
        assertTrue(e.getMessage().contains("/var/lib/app is a symlink now"), e.getMessage());
        assertThrows(UnsafePathException.class, () -> root.remove(judged));
        assertFalse(Files.exists(sandbox.resolve("usr/lib/token")));
        // the same path by its spelling follows root's link, as the agent's own fixed paths do
        root.write("/var/lib/app/token", content, 0, 0, 0600);
        assertTrue(Files.exists(sandbox.resolve("usr/lib/token")));
    }

    @Test
    void aResolvedPlaceIsWrittenThereItsParentsMadeOnTheWay() throws Exception {
        Place place = root.place("/var/run/credstore/x");
        assertFalse(Files.exists(sandbox.resolve("run/credstore")));
        assertEquals(dev.bootsecrets.fs.Change.CREATED, root.write(place, "v".getBytes(StandardCharsets.UTF_8), 0, 0, 0400));
        assertEquals("v", Files.readString(sandbox.resolve("run/credstore/x")));
        assertEquals("rwxr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(sandbox.resolve("run/credstore"))));
        assertTrue(Files.isSymbolicLink(sandbox.resolve("var/run")));
    }
}
