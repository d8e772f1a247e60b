package dev.bootsecrets.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.log.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetRootTest {
    @TempDir
    Path sandbox;

    TargetRoot root;

    @BeforeEach
    void openRoot() throws IOException {
        root = TargetRoot.open(sandbox);
    }

    @AfterEach
    void closeRoot() {
        root.close();
    }

    // --- writing ---

    @ParameterizedTest
    @ValueSource(ints = {0600, 0644, 0400})
    void writeCreatesFileWithExactContentOwnerAndMode(int mode) throws IOException {
        Files.createDirectories(sandbox.resolve("etc/app"));

        Change change = root.write("/etc/app/token", bytes("s3cret-value\n"), 1234, 2345, mode);

        Path file = sandbox.resolve("etc/app/token");
        assertEquals(Change.CREATED, change);
        assertEquals("s3cret-value\n", Files.readString(file));
        assertEquals(1234, uid(file));
        assertEquals(2345, gid(file));
        assertEquals(mode, mode(file));
        assertEquals(List.of("token"), names(file.getParent()));
    }

    @Test
    void identicalWriteChangesNothing() throws IOException {
        Files.createDirectories(sandbox.resolve("etc"));
        root.write("/etc/app.conf", bytes("a=1\n"), 1234, 2345, 0640);
        Path file = sandbox.resolve("etc/app.conf");
        Object inode = Files.getAttribute(file, "unix:ino");
        Object changed = Files.getAttribute(file, "unix:ctime");
        Object modified = Files.getLastModifiedTime(file);

        assertEquals(Change.UNCHANGED, root.write("/etc/app.conf", bytes("a=1\n"), 1234, 2345, 0640));

        assertEquals(inode, Files.getAttribute(file, "unix:ino"));
        assertEquals(changed, Files.getAttribute(file, "unix:ctime"));
        assertEquals(modified, Files.getLastModifiedTime(file));
    }

    @Test
    void changedContentReplacesTheFileByRename() throws IOException {
        Files.createDirectories(sandbox.resolve("etc"));
        root.write("/etc/app.conf", bytes("a=1\n"), 0, 0, 0600);
        Path file = sandbox.resolve("etc/app.conf");
        Object inode = Files.getAttribute(file, "unix:ino");

        assertEquals(Change.UPDATED, root.write("/etc/app.conf", bytes("a=2\n"), 0, 0, 0600));

        assertEquals("a=2\n", Files.readString(file));
        assertNotEquals(inode, Files.getAttribute(file, "unix:ino"));
        assertEquals(List.of("app.conf"), names(file.getParent()));
    }

    @Test
    void changedOwnerOrModeAloneIsAnUpdate() throws IOException {
        Files.createDirectories(sandbox.resolve("etc"));
        root.write("/etc/app.conf", bytes("a=1\n"), 0, 0, 0600);

        assertEquals(Change.UPDATED, root.write("/etc/app.conf", bytes("a=1\n"), 0, 0, 0644));
        assertEquals(Change.UPDATED, root.write("/etc/app.conf", bytes("a=1\n"), 1234, 0, 0644));

        Path file = sandbox.resolve("etc/app.conf");
        assertEquals(0644, mode(file));
        assertEquals(1234, uid(file));
    }

    @Test
    void writeOfEmptyContentCreatesAnEmptyFile() throws IOException {
        Files.createDirectories(sandbox.resolve("run/ostree"));

        assertEquals(Change.CREATED, root.write("/run/ostree/auth.json", new byte[0], 0, 0, 0600));
        assertEquals(Change.UNCHANGED, root.write("/run/ostree/auth.json", new byte[0], 0, 0, 0600));

        assertEquals(0, Files.size(sandbox.resolve("run/ostree/auth.json")));
    }

    @Test
    void writeWithoutParentDirectoryFailsNamingThePath() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> root.write("/etc/missing/app.conf", bytes("x"), 0, 0, 0600));
        assertTrue(e.getMessage().contains("/etc/missing/app.conf"), e.getMessage());
    }

    @Test
    void writeRefusesASymlinkAtTheTargetEvenIfRootMadeIt() throws IOException {
        Path shadow = shadowFile();
        Files.createSymbolicLink(sandbox.resolve("etc/motd"), shadow);

        UnsafePathException e = assertThrows(UnsafePathException.class,
                () -> root.write("/etc/motd", bytes("pwned\n"), 0, 0, 0644));

        assertTrue(e.getMessage().contains("/etc/motd"), e.getMessage());
        assertShadowIntact(shadow);
        assertTrue(Files.isSymbolicLink(sandbox.resolve("etc/motd")));
    }

    @Test
    void writeRefusesADirectoryAtTheTarget() throws IOException {
        Files.createDirectories(sandbox.resolve("etc/app.conf"));

        assertThrows(UnsafePathException.class, () -> root.write("/etc/app.conf", bytes("x"), 0, 0, 0600));
        assertTrue(Files.isDirectory(sandbox.resolve("etc/app.conf")));
    }

    @Test
    void failedWriteKeepsThePreviousFileAndLeavesNoTemporaryFile() throws Exception {
        Path small = Files.createDirectory(sandbox.resolve("small"));
        int mounted = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small.toString())
                .inheritIO().start().waitFor();
        Assumptions.assumeTrue(mounted == 0, "mounting a tmpfs is not permitted here");
        try {
            root.write("/small/app.conf", bytes("old\n"), 0, 0, 0600);

            IOException e = assertThrows(IOException.class,
                    () -> root.write("/small/app.conf", new byte[1024 * 1024], 0, 0, 0600));

            assertTrue(e.getMessage().contains("No space left") || e.getMessage().contains("ENOSPC"), e.getMessage());
            assertTrue(e.getMessage().contains("/small/app.conf"), e.getMessage());
            assertEquals("old\n", Files.readString(small.resolve("app.conf")));
            assertEquals(List.of("app.conf"), names(small));
        } finally {
            root.syncDirectories(); // lets go of the tmpfs directory, so it can be unmounted
            new ProcessBuilder("umount", small.toString()).inheritIO().start().waitFor();
        }
    }

    // --- staged writes (one sync per run) ---

    @Test
    void stagedWriteKeepsTheOldFileUntilPublished() throws IOException {
        Files.createDirectories(sandbox.resolve("etc"));
        Path file = sandbox.resolve("etc/app.conf");
        Files.writeString(file, "old\n");
        root.stageWrites();

        assertEquals(Change.UPDATED, root.write("/etc/app.conf", bytes("new\n"), 0, 0, 0600));
        assertEquals("old\n", Files.readString(file));
        assertEquals(2, names(file.getParent()).size()); // the new version waits in its temporary file

        root.syncStaged();
        assertTrue(root.publish("/etc/app.conf"));
        assertFalse(root.publish("/etc/app.conf"));
        root.endStaging();

        assertEquals("new\n", Files.readString(file));
        assertEquals(List.of("app.conf"), names(file.getParent()));
    }

    @ParameterizedTest
    @ValueSource(ints = {3, TargetRoot.FSYNC_EACH_LIMIT + 4})
    void aBatchOfFewOrManyFilesIsPublishedWholeAndKeepsNoDescriptor(int count) throws IOException {
        // Few files are fsynced one by one, many share a syncfs: either way every file lands
        // with its content, no temporary file stays, and no descriptor is left open.
        Files.createDirectories(sandbox.resolve("etc/app"));
        long descriptors = openDescriptors();
        root.stageWrites();
        for (int i = 0; i < count; i++) {
            root.write("/etc/app/f" + i, bytes("content " + i + "\n"), 0, 0, 0640);
        }

        root.syncStaged();
        for (int i = 0; i < count; i++) {
            assertTrue(root.publish("/etc/app/f" + i));
        }
        root.syncDirectories();

        assertEquals(count, names(sandbox.resolve("etc/app")).size());
        for (int i = 0; i < count; i++) {
            assertEquals("content " + i + "\n", Files.readString(sandbox.resolve("etc/app/f" + i)));
        }
        assertEquals(descriptors, openDescriptors());
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void unpublishedStagedWritesLeaveOldFilesAndNoTemporaryFiles() throws IOException {
        Files.createDirectories(sandbox.resolve("etc/a"));
        Files.createDirectories(sandbox.resolve("etc/b"));
        Files.writeString(sandbox.resolve("etc/a/kept"), "old\n");
        root.stageWrites();
        root.write("/etc/a/kept", bytes("new\n"), 0, 0, 0600);
        root.write("/etc/b/never", bytes("new\n"), 0, 0, 0600);

        root.endStaging();

        assertEquals("old\n", Files.readString(sandbox.resolve("etc/a/kept")));
        assertEquals(List.of("kept"), names(sandbox.resolve("etc/a")));
        assertEquals(List.of(), names(sandbox.resolve("etc/b")));
    }

    @Test
    void aPathIsStagedOnlyOncePerBatch() throws IOException {
        Files.createDirectories(sandbox.resolve("etc"));
        root.stageWrites();
        root.write("/etc/app.conf", bytes("one\n"), 0, 0, 0600);

        assertThrows(IllegalStateException.class, () -> root.write("/etc/app.conf", bytes("two\n"), 0, 0, 0600));
    }

    @Test
    void closingDiscardsWhatWasStagedButNotPublished() throws IOException {
        Files.createDirectories(sandbox.resolve("etc"));
        root.stageWrites();
        root.write("/etc/app.conf", bytes("new\n"), 0, 0, 0600);

        root.close();

        assertEquals(List.of(), names(sandbox.resolve("etc")));
    }

    // --- symlinks ---

    @Test
    void symlinkPlantedAsSshDirectoryIsRefused() throws IOException {
        Path home = userHome("alice");
        Path target = Files.createDirectories(sandbox.resolve("etc/shadow-dir"));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(home.resolve(".ssh"), target);

        UnsafePathException write = assertThrows(UnsafePathException.class,
                () -> root.write("/home/alice/.ssh/authorized_keys", bytes("ssh-ed25519 AAAA evil\n"), 1000, 1000, 0600));
        UnsafePathException mkdir = assertThrows(UnsafePathException.class,
                () -> root.ensureDirectory("/home/alice/.ssh", 1000, 1000, 0700));
        assertThrows(UnsafePathException.class, () -> root.read("/home/alice/.ssh/authorized_keys", 4096));
        assertThrows(UnsafePathException.class, () -> root.createParents("/home/alice/.ssh/x/authorized_keys"));

        assertTrue(write.getMessage().contains("symlink planted at /home/alice/.ssh"), write.getMessage());
        assertTrue(mkdir.getMessage().contains("/home/alice/.ssh"), mkdir.getMessage());
        assertEquals(List.of(), names(target));
        assertEquals(0, uid(target));
        assertEquals(0700, mode(target));
    }

    @Test
    void symlinkPlantedAsAuthorizedKeysIsRefused() throws IOException {
        Path shadow = shadowFile();
        Path ssh = Files.createDirectory(userHome("alice").resolve(".ssh"));
        chown(ssh, 1000);
        Path keys = ssh.resolve("authorized_keys");
        Files.createSymbolicLink(keys, shadow);

        assertThrows(UnsafePathException.class,
                () -> root.write("/home/alice/.ssh/authorized_keys", bytes("ssh-ed25519 AAAA evil\n"), 1000, 1000, 0600));
        assertThrows(UnsafePathException.class, () -> root.read("/home/alice/.ssh/authorized_keys", 4096));

        assertShadowIntact(shadow);
        assertTrue(root.remove("/home/alice/.ssh/authorized_keys"), "the link itself is removed");
        assertFalse(Files.exists(keys, NOFOLLOW_LINKS));
        assertShadowIntact(shadow);
    }

    @Test
    void symlinkOwnedByAUserIsRefusedEvenInARootDirectory() throws IOException {
        Files.createDirectories(sandbox.resolve("var/home/core"));
        Path link = Files.createSymbolicLink(sandbox.resolve("home"), Path.of("var/home"));
        chown(link, 1000);

        assertThrows(UnsafePathException.class, () -> root.write("/home/core/x", bytes("x"), 0, 0, 0600));
        assertEquals(List.of(), names(sandbox.resolve("var/home/core")));
    }

    @Test
    void rootOwnedSymlinkInARootOnlyDirectoryIsFollowed() throws IOException {
        Files.createDirectories(sandbox.resolve("var/home/core"));
        Files.createSymbolicLink(sandbox.resolve("home"), Path.of("var/home"));

        assertEquals(Change.CREATED, root.write("/home/core/x", bytes("x\n"), 0, 0, 0600));

        assertEquals("x\n", Files.readString(sandbox.resolve("var/home/core/x")));
        assertEquals(Optional.of("x\n"), root.read("/home/core/x", 100).map(b -> new String(b, UTF_8)));
        assertTrue(root.exists("/home/core/x"));
    }

    @Test
    void absoluteSymlinkTargetsResolveInsideTheRoot() throws IOException {
        Files.createDirectories(sandbox.resolve("var/roothome"));
        Files.createDirectories(sandbox.resolve("srv"));
        Files.createSymbolicLink(sandbox.resolve("root"), Path.of("/var/roothome"));
        Files.createSymbolicLink(sandbox.resolve("srv/data"), Path.of("/var/lib/data"));
        Path onHost = Path.of("/var/roothome/.ssh/authorized_keys");
        boolean hostHadIt = Files.exists(onHost);

        assertEquals(Change.CREATED, root.ensureDirectory("/root/.ssh", 0, 0, 0700));
        root.write("/root/.ssh/authorized_keys", bytes("ssh-ed25519 AAAA ops\n"), 0, 0, 0600);
        root.ensureDirectory("/srv/data/cache", 0, 0, 0750);

        assertTrue(Files.isRegularFile(sandbox.resolve("var/roothome/.ssh/authorized_keys")));
        assertEquals(hostHadIt, Files.exists(onHost), "the host's own /var/roothome is not touched");
        assertTrue(Files.isDirectory(sandbox.resolve("var/lib/data/cache")), "resolved from the root, not from /srv");
    }

    @Test
    void dotDotInASafeSymlinkTargetStaysInsideTheRoot() throws IOException {
        Files.createDirectories(sandbox.resolve("var/usrlocal"));
        Files.createDirectories(sandbox.resolve("usr"));
        Files.createSymbolicLink(sandbox.resolve("usr/local"), Path.of("../var/usrlocal"));
        Files.createSymbolicLink(sandbox.resolve("escape"), Path.of("../../../../../.."));

        root.createParents("/usr/local/etc/app.conf");
        root.write("/usr/local/etc/app.conf", bytes("a\n"), 0, 0, 0644);
        root.createParents("/escape/tmp/x");

        assertTrue(Files.isRegularFile(sandbox.resolve("var/usrlocal/etc/app.conf")));
        assertTrue(Files.isDirectory(sandbox.resolve("tmp")), "'..' above the root stays at the root");
        Files.delete(sandbox.resolve("escape")); // so the sandbox cleanup need not look past it
    }

    @Test
    void symlinkInADirectoryOthersCanWriteIsRefused() throws IOException {
        Files.createDirectories(sandbox.resolve("var/home/core"));
        Path shared = Files.createDirectory(sandbox.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createSymbolicLink(shared.resolve("home"), Path.of("../var/home"));

        UnsafePathException e = assertThrows(UnsafePathException.class,
                () -> root.write("/shared/home/core/x", bytes("x"), 0, 0, 0600));

        assertTrue(e.getMessage().contains("symlink planted at /shared/home"), e.getMessage());
        assertEquals(List.of(), names(sandbox.resolve("var/home/core")));
    }

    @Test
    void symlinkInADirectoryAUserOwnsIsRefused() throws IOException {
        Files.createDirectories(sandbox.resolve("var/home/core"));
        Path owned = Files.createDirectory(sandbox.resolve("owned"));
        chown(owned, 1000);
        Files.createSymbolicLink(owned.resolve("home"), Path.of("../var/home"));

        assertThrows(UnsafePathException.class, () -> root.write("/owned/home/core/x", bytes("x"), 0, 0, 0600));
        assertEquals(List.of(), names(sandbox.resolve("var/home/core")));
    }

    @Test
    void aFileWhereADirectoryShouldBeIsRefused() throws IOException {
        Files.createDirectories(sandbox.resolve("etc"));
        Files.writeString(sandbox.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");

        UnsafePathException e = assertThrows(UnsafePathException.class,
                () -> root.write("/etc/passwd/x", bytes("x"), 0, 0, 0600));

        assertTrue(e.getMessage().contains("/etc/passwd is not a directory"), e.getMessage());
    }

    // --- paths ---

    @ParameterizedTest
    @ValueSource(strings = {"/etc/../etc/passwd", "relative/path", "etc/passwd", "/etc//passwd", "/etc/passwd/",
        "/./etc/passwd", "", "/", "/etc/pass\0wd"})
    void malformedPathsAreRefusedAndNothingIsWritten(String path) throws IOException {
        Files.createDirectories(sandbox.resolve("etc"));
        Files.writeString(sandbox.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");

        assertThrows(UnsafePathException.class, () -> root.write(path, bytes("evil\n"), 0, 0, 0644));
        assertThrows(UnsafePathException.class, () -> root.read(path, 100));
        assertThrows(UnsafePathException.class, () -> root.ensureDirectory(path, 0, 0, 0755));

        assertEquals("root:x:0:0::/root:/bin/sh\n", Files.readString(sandbox.resolve("etc/passwd")));
        assertEquals(List.of("passwd"), names(sandbox.resolve("etc")));
    }

    // --- directories ---

    @Test
    void ensureDirectoryCreatesParentsAsRootAndTheLastWithItsOwnerAndMode() throws IOException {
        assertEquals(Change.CREATED, root.ensureDirectory("/var/home/alice/.ssh", 1000, 1001, 0700));

        Path ssh = sandbox.resolve("var/home/alice/.ssh");
        assertEquals(1000, uid(ssh));
        assertEquals(1001, gid(ssh));
        assertEquals(0700, mode(ssh));
        for (Path parent : List.of(sandbox.resolve("var"), sandbox.resolve("var/home"), sandbox.resolve("var/home/alice"))) {
            assertEquals(0, uid(parent), parent.toString());
            assertEquals(0755, mode(parent), parent.toString());
        }
        assertEquals(Change.UNCHANGED, root.ensureDirectory("/var/home/alice/.ssh", 1000, 1001, 0700));
    }

    @Test
    void ensureDirectoryFixesOwnerAndModeOfAnExistingDirectory() throws IOException {
        Path dir = Files.createDirectories(sandbox.resolve("run/credstore"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("keep"), "kept");

        assertEquals(Change.UPDATED, root.ensureDirectory("/run/credstore", 0, 0, 0700));

        assertEquals(0700, mode(dir));
        assertEquals("kept", Files.readString(dir.resolve("keep")));
    }

    @Test
    void ensureDirectoryNeverChownsAnotherUsersDirectory() throws IOException {
        Path dir = Files.createDirectories(sandbox.resolve("root/.ssh"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));

        UnsafePathException e = assertThrows(UnsafePathException.class,
                () -> root.ensureDirectory("/root/.ssh", 11, 0, 0700));
        assertTrue(e.getMessage().contains("belongs to uid 0, not to uid 11"), e.getMessage());
        assertThrows(UnsafePathException.class, () -> root.ensureDirectory("/root/.ssh", 11, 0, 0700, false));
        assertEquals(0, uid(dir));
    }

    @Test
    void readToMergeRefusesAHardLinkOrAnotherOwnerAndReadsTheRest() throws IOException {
        Path etc = Files.createDirectories(sandbox.resolve("etc"));
        Path shadow = Files.writeString(etc.resolve("shadow"), "root:hash\n");
        Files.createLink(etc.resolve("keys"), shadow);
        Path theirs = Files.writeString(etc.resolve("theirs"), "x\n");
        Files.setAttribute(theirs, "unix:uid", 1001);
        Path mine = Files.writeString(etc.resolve("mine"), "mine\n");
        Files.setAttribute(mine, "unix:uid", 1000);

        UnsafePathException linked = assertThrows(UnsafePathException.class, () -> root.readToMerge(Place.exact("/etc/keys"), 100, 0));
        assertTrue(linked.getMessage().contains("has 2 hard links"), linked.getMessage());
        UnsafePathException owned = assertThrows(UnsafePathException.class, () -> root.readToMerge(Place.exact("/etc/theirs"), 100, 1000));
        assertTrue(owned.getMessage().contains("belongs to uid 1001, not to uid 1000 or root"), owned.getMessage());
        assertArrayEquals(bytes("mine\n"), root.readToMerge(Place.exact("/etc/mine"), 100, 1000).orElseThrow());
        assertArrayEquals(bytes("x\n"), root.read("/etc/theirs", 100).orElseThrow(), "plain reads are not merges");
        assertEquals(Optional.empty(), root.readToMerge(Place.exact("/etc/none"), 100, 1000));
    }

    @Test
    void ensureDirectoryRefusesAFileInTheWay() throws IOException {
        Files.createDirectories(sandbox.resolve("run"));
        Files.writeString(sandbox.resolve("run/credstore"), "x");

        assertThrows(UnsafePathException.class, () -> root.ensureDirectory("/run/credstore", 0, 0, 0700));
    }

    @Test
    void createParentsCreatesOnlyMissingParents() throws IOException {
        Path etc = Files.createDirectory(sandbox.resolve("etc"));
        Files.setPosixFilePermissions(etc, PosixFilePermissions.fromString("rwxr-x---"));

        root.createParents("/etc/pki/bootsecrets/key.pem");

        assertEquals(0750, mode(etc), "an existing parent is untouched");
        assertEquals(0755, mode(sandbox.resolve("etc/pki")));
        assertEquals(0755, mode(sandbox.resolve("etc/pki/bootsecrets")));
        assertFalse(Files.exists(sandbox.resolve("etc/pki/bootsecrets/key.pem")));
    }

    // --- reading, existence, removal ---

    @Test
    void readReturnsContentOrEmptyWhenAbsent() throws IOException {
        Files.createDirectories(sandbox.resolve("etc"));
        Files.writeString(sandbox.resolve("etc/hostname"), "vm1\n");

        assertEquals("vm1\n", new String(root.read("/etc/hostname", 100).orElseThrow(), UTF_8));
        assertEquals(Optional.empty(), root.read("/etc/missing", 100));
        assertEquals(Optional.empty(), root.read("/missing/dir/file", 100));
        assertTrue(root.exists("/etc/hostname"));
        assertFalse(root.exists("/etc/missing"));
        assertFalse(root.exists("/missing/dir/file"));
    }

    @Test
    void readRefusesFilesLargerThanTheLimit() throws IOException {
        Files.createDirectories(sandbox.resolve("etc"));
        Files.write(sandbox.resolve("etc/big"), new byte[200_000]);

        IOException e = assertThrows(IOException.class, () -> root.read("/etc/big", 100_000));

        assertTrue(e.getMessage().contains("/etc/big"), e.getMessage());
        assertEquals(200_000, root.read("/etc/big", 200_000).orElseThrow().length);
    }

    @Test
    void readRefusesADirectory() throws IOException {
        Files.createDirectories(sandbox.resolve("etc/dir"));

        assertThrows(UnsafePathException.class, () -> root.read("/etc/dir", 100));
    }

    @Test
    void removeDeletesFilesAndRefusesDirectories() throws IOException {
        Files.createDirectories(sandbox.resolve("etc/dir"));
        Files.writeString(sandbox.resolve("etc/file"), "x");

        assertTrue(root.remove("/etc/file"));
        assertFalse(root.remove("/etc/file"));
        assertFalse(root.remove("/missing/file"));
        assertThrows(UnsafePathException.class, () -> root.remove("/etc/dir"));
        assertEquals(List.of("dir"), names(sandbox.resolve("etc")));
    }

    @Test
    void aClosedRootRefusesWork() {
        root.close();

        assertThrows(IllegalStateException.class, () -> root.exists("/etc"));
    }

    @Test
    void selinuxLabelingIsSkippedWithoutSelinux() throws IOException {
        Assumptions.assumeFalse(Files.exists(Path.of("/sys/fs/selinux/enforce")), "this host has SELinux");
        assertFalse(root.labelsFiles(), "without SELinux in the kernel, no root is labelled");
        try (TargetRoot host = TargetRoot.open(Path.of("/"))) {
            assertFalse(host.labelsFiles());
        }
    }

    @Test
    void selinuxIsLookedAtOnlyWhenAFileIsToBeLabelledAndThenOnce() throws IOException {
        Assumptions.assumeFalse(Files.exists(Path.of("/sys/fs/selinux/enforce")), "this host has SELinux");
        var logged = new java.io.ByteArrayOutputStream();
        Log.configure(new java.io.PrintStream(logged, true, UTF_8), true);
        try (TargetRoot host = TargetRoot.open(Path.of("/"))) {
            host.exists("/etc/hostname"); // reading, as the config loader does
            assertFalse(logged.toString(UTF_8).contains("SELinux"), logged.toString(UTF_8));

            host.labelsFiles();
            host.labelsFiles();
            assertEquals(1, logged.toString(UTF_8).split("SELinux is not enabled", -1).length - 1, logged.toString(UTF_8));
        } finally {
            Log.configure(System.err, false);
        }
    }

    // --- helpers ---

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    /** A stand-in for /etc/shadow: known content, root-only mode. */
    private Path shadowFile() throws IOException {
        Path shadow = Files.createDirectories(sandbox.resolve("etc")).resolve("shadow");
        Files.writeString(shadow, "root:$6$hash:19000::::::\n");
        Files.setPosixFilePermissions(shadow, PosixFilePermissions.fromString("r--------"));
        return shadow;
    }

    private static void assertShadowIntact(Path shadow) throws IOException {
        assertEquals("root:$6$hash:19000::::::\n", Files.readString(shadow));
        assertEquals(0400, mode(shadow));
        assertEquals(0, uid(shadow));
    }

    /** /home/NAME owned by uid 1000, as a user's home is. */
    private Path userHome(String name) throws IOException {
        Path home = Files.createDirectories(sandbox.resolve("home").resolve(name));
        chown(home, 1000);
        return home;
    }

    private static void chown(Path path, int uid) throws IOException {
        Files.setAttribute(path, "unix:uid", uid, NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", uid, NOFOLLOW_LINKS);
    }

    private static int uid(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:uid", NOFOLLOW_LINKS);
    }

    private static int gid(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:gid", NOFOLLOW_LINKS);
    }

    private static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", NOFOLLOW_LINKS) & 07777;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
