package dev.bootsecrets.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A key twice in one mapping: kept as cloud-init keeps it (the last wins, with a warning) where
 * bootsecrets does not read, refused where it does.
 */
class DuplicateKeysTest {
    private static final String VALUE = "Hunter2-s3cr3t-vAlue";
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void captureLog() {
        Log.configure(new PrintStream(log, true, StandardCharsets.UTF_8), false);
    }

    @AfterEach
    void restoreLog() {
        Log.configure(System.err, false);
    }

    private String logged() {
        return log.toString(StandardCharsets.UTF_8);
    }

    private static Config apply(String userData) throws ConfigException {
        return UserData.apply(ConfigLoader.defaults(), userData.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> refused(String userData) {
        return assertThrows(ConfigException.class, () -> apply(userData)).errors();
    }

    @Test
    void aKeyBootsecretsDoesNotReadIsKeptLastWinsWithOneWarningNamingKeyAndLine() throws ConfigException {
        Object doc = Yaml.load("apt:\n  a: " + VALUE + "\nwrite_files: []\napt:\n  b: 2\n", "user-data", Set.of("write_files")::contains);
        assertEquals(Map.of("apt", Map.of("b", 2), "write_files", List.of()), doc);
        assertEquals("<4>user-data: line 4: duplicate key apt: the last one wins, as in cloud-init (bootsecrets does not read it)\n",
                logged());
    }

    @Test
    void insideAKeyBootsecretsDoesNotReadTooAtAnyDepth() throws ConfigException {
        Object doc = Yaml.load("disk_setup:\n  /dev/sdb: {layout: true, layout: false}\n", "user-data", Set.of("write_files")::contains);
        assertEquals(Map.of("disk_setup", Map.of("/dev/sdb", Map.of("layout", false))), doc);
        assertTrue(logged().contains("line 2: duplicate key layout: the last one wins"), logged());
    }

    @Test
    void cloudConfigWithDuplicatesOutsideOurKeysIsAcceptedAndReadAsBefore() throws ConfigException {
        Config config = apply("""
                #cloud-config
                apt: {primary: [{arches: [default]}]}
                write_files:
                  - {path: /etc/motd, content: "hi\\n"}
                apt: {sources: {}}
                """);
        assertEquals("/etc/motd", config.declarations().files().getFirst().path());
        assertTrue(logged().contains("<4>user-data: line 5: duplicate key apt: the last one wins"), logged());
    }

    @Test
    void aDuplicateWhereBootsecretsReadsIsRefusedSayingWhyAndNeverShowingAValue() {
        String why = ": bootsecrets reads it, and YAML parsers disagree on which one wins,"
                + " so a reviewer and the agent could read different documents; keep one";
        assertEquals(List.of("user-data: line 3, column 1: duplicate key write_files" + why), refused("""
                #cloud-config
                write_files: [{path: /etc/a, content: x}]
                write_files: [{path: /etc/b, content: "%s"}]
                """.formatted(VALUE)));
        assertEquals(List.of("user-data: line 4, column 5: duplicate key path" + why), refused("""
                #cloud-config
                write_files:
                  - path: /etc/a
                    path: /etc/b
                    content: "%s"
                """.formatted(VALUE)));
        assertEquals(List.of("user-data: line 5, column 5: duplicate key ssh_authorized_keys" + why), refused("""
                #cloud-config
                users:
                  - name: core
                    ssh_authorized_keys: [ssh-ed25519 AAAAone]
                    ssh_authorized_keys: [ssh-ed25519 AAAAtwo]
                """));
        assertEquals(List.of("user-data: line 4, column 5: duplicate key token" + why), refused("""
                #cloud-config
                bootsecrets:
                  secrets: {token: {value: "%s"},
                    token: {value: other}}
                """.formatted(VALUE)));
        assertFalse(logged().contains(VALUE), logged());
    }

    @Test
    void aMappingOutsideOurKeysThatOurKeysUseByAliasIsOurs() {
        assertEquals(List.of("user-data: line 2, column 27: duplicate key path: bootsecrets reads it, and YAML parsers"
                + " disagree on which one wins, so a reviewer and the agent could read different documents; keep one"), refused("""
                #cloud-config
                x-file: &f {path: /etc/a, path: /etc/b, content: x}
                write_files: [*f]
                """));
    }

    @Test
    void aBootsecretsDocumentIsReadWhole() {
        List<String> errors = refused("""
                #bootsecrets-config
                version: 1
                comment: a
                comment: b
                """);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.getFirst().startsWith("user-data: line 4, column 1: duplicate key comment: bootsecrets reads it"),
                errors.toString());
    }
}
