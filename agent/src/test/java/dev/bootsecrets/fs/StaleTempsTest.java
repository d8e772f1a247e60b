package dev.bootsecrets.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A killed run's temporary files are swept; nothing else is, and no symlink is followed. */
class StaleTempsTest {
    @TempDir
    Path sandbox;

    @Test
    void removesOnlyRegularFilesOfTheTempPatternInTheGivenDirectories() throws Exception {
        Path etc = Files.createDirectories(sandbox.resolve("etc/app"));
        Path stale = Files.writeString(etc.resolve(".api.key.bootsecrets-0123456789abcdef"), "half");
        Path long200 = Files.writeString(etc.resolve("..bootsecrets-fedcba9876543210"), "half");
        Path notOurs = Files.writeString(etc.resolve(".api.key.bootsecrets-0123"), "keep");
        Path visible = Files.writeString(etc.resolve("api.key.bootsecrets-0123456789abcdef"), "keep");
        Path dir = Files.createDirectory(etc.resolve(".d.bootsecrets-0123456789abcdef"));
        Path target = Files.writeString(sandbox.resolve("precious"), "keep");
        Path link = Files.createSymbolicLink(etc.resolve(".l.bootsecrets-0123456789abcdef"), target);
        Path elsewhere = Files.createDirectories(sandbox.resolve("var/other"));
        Path untouched = Files.writeString(elsewhere.resolve(".x.bootsecrets-0123456789abcdef"), "not asked");

        List<String> removed;
        try (TargetRoot root = TargetRoot.open(sandbox)) {
            removed = StaleTemps.sweep(root, List.of("/etc/app", "/etc/missing"));
        }

        assertEquals(List.of("/etc/app/..bootsecrets-fedcba9876543210", "/etc/app/.api.key.bootsecrets-0123456789abcdef"),
                removed.stream().sorted().toList());
        assertTrue(Files.notExists(stale) && Files.notExists(long200));
        for (Path kept : List.of(notOurs, visible, dir, target, untouched)) {
            assertTrue(Files.exists(kept), kept + " was removed");
        }
        assertTrue(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aDirectoryReachedThroughAPlantedSymlinkIsNotSwept() throws Exception {
        Path home = Files.createDirectories(sandbox.resolve("home/eve"));
        Path real = Files.createDirectories(sandbox.resolve("etc/secret-dir"));
        Path victim = Files.writeString(real.resolve(".shadow.bootsecrets-0123456789abcdef"), "root's");
        Files.createSymbolicLink(home.resolve(".ssh"), real);
        Files.setAttribute(home, "unix:uid", 1000);

        try (TargetRoot root = TargetRoot.open(sandbox)) {
            assertEquals(List.of(), StaleTemps.sweep(root, List.of("/home/eve/.ssh")));
        }
        assertTrue(Files.exists(victim));
    }

    @Test
    void theWritersTempNamesMatchThePattern() {
        assertTrue(StaleTemps.isTemp(StaleTemps.name("authorized_keys")));
        assertTrue(StaleTemps.isTemp(StaleTemps.name("x".repeat(250))));
    }
}
