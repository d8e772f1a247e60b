package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.testing.Emulated;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attacks of issue 20: user-data spells a path through a link only root could have made
 * (bootc's /var/run -> ../run, /root -> var/roothome, /home -> var/home, a link under /etc into
 * /usr), and the policy must judge where the write or read really lands. Each is run as the
 * agent at boot against the AWS emulator and as {@code check --root}: refused with exit 3,
 * naming the field, the spelling, the real place and the policy key, and nothing written. In
 * process the run has no Landlock (as on kernels without it); as a process it has.
 */
class PlacementAttackTest {
    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKnnIGjUHH61gxCGDLPSoiMJknIy4ZZZ0ngsIJmnfvmm mallory";
    static final String IMAGE_VALUE = "image-db-value-3e4f";
    /** An image that declares a credential, as a service's password. */
    static final String CREDENTIAL_IMAGE = "secrets: {db: {value: \"" + IMAGE_VALUE + "\"}}\ncredentials: {db: {secret: db}}\n";

    @TempDir
    Path dir;
    Path root;
    @RegisterExtension
    final Emulated cloud = new Emulated();

    /** The demo's bootc root, with the other root-made links a real host has. */
    @BeforeEach
    void sandbox() throws IOException {
        root = Agent.sandbox(dir);
        Files.createDirectories(root.resolve("run/lock"));
        Files.createDirectories(root.resolve("usr/lib/jvm/java-21/bin"));
        Files.createDirectories(root.resolve("etc/alternatives"));
        Files.createSymbolicLink(root.resolve("var/run"), Path.of("../run")); // relative, as systemd makes it
        Files.createSymbolicLink(root.resolve("var/lock"), Path.of("../run/lock"));
        Files.createSymbolicLink(root.resolve("var/altrun"), Path.of("/run")); // absolute: re-rooted, never the host's
        Files.createSymbolicLink(root.resolve("var/hop1"), Path.of("hop2")); // two levels deep
        Files.createSymbolicLink(root.resolve("var/hop2"), Path.of("../run"));
        Files.createSymbolicLink(root.resolve("etc/alternatives/jvm"), Path.of("/usr/lib/jvm/java-21"));
        Files.createSymbolicLink(root.resolve("etc/imagecfg"), Path.of("../usr/lib/bootsecrets"));
    }

    Agent.Run boot(String userData) throws Exception {
        return Agent.boot(cloud, root, userData.getBytes(StandardCharsets.UTF_8));
    }

    Agent.Run check(String userData) throws IOException {
        return Agent.check(dir, root, userData);
    }

    /** A write_files entry of {@code path}, whose content no file may hold afterwards. */
    static String writeFile(String path) {
        return "#cloud-config\nwrite_files: [{path: " + path + ", content: \"planted-by-user-data\"}]\n";
    }

    /** Run and check both refuse {@code userData} with every one of {@code messages}; nothing on disk holds its content. */
    void refused(String userData, String... messages) throws Exception {
        List<String> before = Agent.files(root);
        Agent.Run run = boot(userData);
        assertEquals(ExitCode.INVALID, run.exit(), run.all());
        Agent.Run check = check(userData);
        assertEquals(ExitCode.INVALID, check.exit(), check.all());
        for (String message : messages) {
            assertTrue(run.err().contains(message), message + " in " + run.all());
            assertTrue(check.out().contains(message), message + " in " + check.all());
        }
        List<String> after = new ArrayList<>(Agent.files(root));
        after.removeAll(before);
        assertEquals(List.of(), after.stream().filter(f -> !f.startsWith("/run/bootsecrets/")).toList(), "written");
        for (String file : Agent.files(root)) {
            assertFalse(Files.readString(root.resolve(file.substring(1))).contains("planted-by-user-data"), file);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/var/run/credstore/db", "/var/run/credstore.encrypted/db", "/var/altrun/credstore/db",
            "/var/hop1/credstore/db"})
    void theConfigsCredentialThroughALinkIsNeverWritten(String spelled) throws Exception {
        Agent.writeImageConfig(root, CREDENTIAL_IMAGE);
        Agent.Run first = boot("#cloud-config\n");
        assertEquals(ExitCode.OK, first.exit(), first.all());
        String real = spelled.replaceFirst("^/var/(run|altrun|hop1)/", "/run/");
        refused(writeFile(spelled), "user-data:write_files[0]: " + spelled + " (resolves to " + real
                + ") is never written for user-data");
        // a later run in the same boot still holds the image's value
        assertEquals(IMAGE_VALUE, Files.readString(root.resolve("run/credstore/db")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/var/run/bootsecrets/registry-tokens/quay.io", "/var/run/bootsecrets/env/app.env",
            "/var/run/bootsecrets/lock", "/var/hop1/bootsecrets/status.json"})
    void theAgentsOwnRunDirectoryIsNeverWritten(String spelled) throws Exception {
        refused(writeFile(spelled), "user-data:write_files[0]: " + spelled + " (resolves to /run/bootsecrets/",
                "is never written for user-data");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/var/run/ssh/sshd_config.d/50-open.conf", "/var/lock/x", "/var/run/ostree/auth.json",
            "/var/altrun/x", "/var/hop1/x"})
    void writePathsOfVarDoNotReachRunThroughItsLinks(String spelled) throws Exception {
        Agent.writeImageConfig(root, "userData: {writePaths: [/var/]}\n");
        refused(writeFile(spelled), "user-data:write_files[0]: " + spelled + " (resolves to /run/",
                "is outside the paths user-data may write (userData.writePaths: /var/)");
        assertFalse(Files.exists(root.resolve("run/ostree")));
    }

    @Test
    void rootsHomeUnderAnotherNameIsStillRootsKeys() throws Exception {
        refused(writeFile("/var/roothome/.ssh/authorized_keys"),
                "user-data:write_files[0]: /var/roothome/.ssh/authorized_keys is in root's ~/.ssh, an SSH key grant:"
                        + " user-data and metadata may not give root SSH keys (userData.sshUsers does not list root)");
        refused(writeFile("/root/.ssh/authorized_keys"),
                "/root/.ssh/authorized_keys (resolves to /var/roothome/.ssh/authorized_keys) is in root's ~/.ssh");
        refused(writeFile("/var/roothome/.ssh/rc"), "is in root's ~/.ssh, an SSH key grant");
        assertFalse(Files.exists(root.resolve("var/roothome/.ssh")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/var/home/core/.ssh/authorized_keys", "/home/core/.ssh/authorized_keys",
            "/var/home/deploy/.ssh/authorized_keys2"})
    void noSshUsersMeansNoKeysThroughAnyPath(String spelled) throws Exception {
        Agent.writeImageConfig(root, "userData: {sshUsers: []}\n");
        String user = spelled.contains("deploy") ? "deploy" : "core";
        refused(writeFile(spelled), "is in " + user + "'s ~/.ssh, an SSH key grant: user-data and metadata may not give "
                + user + " SSH keys (userData.sshUsers does not list it)");
        assertFalse(Files.exists(root.resolve("var/home/" + user + "/.ssh")));
    }

    @Test
    void aLinkUnderEtcIntoUsrIsNotAWayIntoUsr() throws Exception {
        refused(writeFile("/etc/alternatives/jvm/bin/java"),
                "user-data:write_files[0]: /etc/alternatives/jvm/bin/java (resolves to /usr/lib/jvm/java-21/bin/java)"
                        + " is outside the paths the agent writes");
        refused(writeFile("/etc/imagecfg/config.d/99-mine.yaml"),
                "/etc/imagecfg/config.d/99-mine.yaml (resolves to /usr/lib/bootsecrets/config.d/99-mine.yaml)");
        assertFalse(Files.exists(root.resolve("usr/lib/jvm/java-21/bin/java")));
        assertFalse(Files.exists(root.resolve("usr/lib/bootsecrets/config.d/99-mine.yaml")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/var/run/credstore/db", "/var/hop1/credstore/db", "/var/run/bootsecrets/status.json"})
    void aFileSourceCannotReadTheConfigsCredentialThroughALink(String spelled) throws Exception {
        // readPaths cover both spellings: what refuses it is that the config's credential and the agent's state are never read
        Agent.writeImageConfig(root, CREDENTIAL_IMAGE + "userData: {sources: [value, metadata, file], readPaths: [/var/, /run/]}\n");
        Agent.Run first = boot("#cloud-config\n");
        assertEquals(ExitCode.OK, first.exit(), first.all());
        String userData = "#cloud-config\nbootsecrets:\n  secrets: {s: {from: \"file:" + spelled + "\"}}\n"
                + "  files: {/etc/copy: {secret: s, mode: \"0644\"}}\n";
        refused(userData, "user-data:bootsecrets.secrets.s (secrets.s): file:" + spelled + " (resolves to /run/",
                "user-data never reads it");
        assertFalse(Files.exists(root.resolve("etc/copy")));
        Agent.Run run = boot(userData);
        assertFalse(run.all().contains(IMAGE_VALUE), "a value in a refusal");
    }

    @Test
    void aFileSourceThroughALinkIsJudgedWhereItReads() throws Exception {
        Agent.writeImageConfig(root, "userData: {sources: [value, metadata, file], readPaths: [/var/lib/myapp/]}\n");
        Files.writeString(root.resolve("var/lib/myapp/token"), "app-token\n");
        Files.createSymbolicLink(root.resolve("var/lib/myapp/shadowlink"), Path.of("/etc/passwd"));
        refused("#cloud-config\nbootsecrets:\n  secrets: {s: {from: \"file:/var/lib/myapp/shadowlink\"}}\n"
                        + "  files: {/etc/copy: {secret: s}}\n",
                "file:/var/lib/myapp/shadowlink (resolves to /etc/passwd) is outside the paths user-data may read"
                        + " (userData.readPaths: /var/lib/myapp/)");
        Agent.Run ok = boot("#cloud-config\nbootsecrets:\n  secrets: {s: {from: \"file:/var/lib/myapp/token\"}}\n"
                + "  files: {/etc/copy: {secret: s}}\n");
        assertEquals(ExitCode.OK, ok.exit(), ok.all());
        assertEquals("app-token\n", Files.readString(root.resolve("etc/copy")));
    }

    @Test
    void legitimateWritesThroughBootcsHomeLinkStillWork() throws Exception {
        Agent.Run run = boot("#cloud-config\nwrite_files: [{path: /home/core/app.conf, content: \"hello\\n\"}]\n"
                + "ssh_authorized_keys: [\"" + KEY + "\"]\n");
        assertEquals(ExitCode.OK, run.exit(), run.all());
        assertEquals("hello\n", Files.readString(root.resolve("var/home/core/app.conf")));
        assertTrue(Files.readString(root.resolve("var/home/core/.ssh/authorized_keys")).contains(KEY));
        String status = Files.readString(root.resolve("run/bootsecrets/status.json"));
        assertTrue(status.contains("\"/var/home/core/app.conf\""), status);

        Agent.Run dry = Agent.main("run", "--root", root.toString(), "--provider", "aws", "--metadata-url",
                cloud.emulator().url().toString(), "--dry-run");
        assertEquals(ExitCode.OK, dry.exit(), dry.all());
        assertTrue(dry.out().contains("/home/core/app.conf (resolves to /var/home/core/app.conf)"), dry.all());
    }

    @Test
    void theConfigMayWriteThroughRootsLinks() throws Exception {
        Agent.writeImageConfig(root, "files: {/var/run/myapp/ready: {content: \"yes\\n\", mode: \"0644\"}}\n");
        Agent.Run run = boot("#cloud-config\n");
        assertEquals(ExitCode.OK, run.exit(), run.all());
        assertEquals("yes\n", Files.readString(root.resolve("run/myapp/ready")));
        assertTrue(Files.isSymbolicLink(root.resolve("var/run")), "the link is left as it is");
    }

    @Test
    void theConfigsFileIsNotReplacedUnderEitherSpelling() throws Exception {
        Agent.writeImageConfig(root, "files: {/run/myapp/api.key: {content: \"image-key\\n\", mode: \"0400\"}}\n");
        refused(writeFile("/run/myapp/api.key"),
                "user-data: write_files[0]: the config declares this file; user-data never replaces it");
        refused(writeFile("/var/run/myapp/api.key"), "user-data:write_files[0]: /var/run/myapp/api.key (resolves to"
                + " /run/myapp/api.key) is also written by ", "10-image.yaml:files./run/myapp/api.key");
    }

    @Test
    void twoSpellingsOfOnePlaceAreOneOutput() throws Exception {
        Agent.writeImageConfig(root, "userData: {writePaths: [/run/]}\n");
        refused("#cloud-config\nwrite_files:\n  - {path: /run/x, content: a}\n  - {path: /var/run/x, content: b}\n",
                "user-data:write_files[1]: /var/run/x (resolves to /run/x) is also written by user-data:write_files[0]");
    }

    /** A user's planted link fails only that output (no local user can stop the run); it is never followed. */
    @Test
    void aLinkPlantedByAUserOnTheWayFailsThatOutputAndIsNotFollowed() throws Exception {
        Path planted = root.resolve("var/home/core/notes");
        Files.createSymbolicLink(planted, Path.of("/etc"));
        Files.setAttribute(planted, "unix:uid", 1000, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Agent.Run run = boot(writeFile("/home/core/notes/motd"));
        assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
        assertTrue(run.err().contains("/home/core/notes/motd"), run.all());
        assertFalse(Files.exists(root.resolve("etc/motd")));
        // and what user-data could not have written without the link is refused all the same
        Agent.writeImageConfig(root, "userData: {writePaths: [/etc/]}\n");
        Agent.Run narrow = boot(writeFile("/home/core/notes/motd"));
        assertEquals(ExitCode.INVALID, narrow.exit(), narrow.all());
        assertTrue(narrow.err().contains("user-data:write_files[0]: /home/core/notes/motd (resolves to"
                + " /var/home/core/notes/motd) is outside the paths user-data may write (userData.writePaths: /etc/)"), narrow.all());
    }
}
