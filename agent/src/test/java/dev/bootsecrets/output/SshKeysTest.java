package dev.bootsecrets.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.testing.Keys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshKeysTest {
    static String ed25519;
    static String rsa;
    static String ecdsa;

    @BeforeAll
    static void keys(@TempDir Path dir) throws Exception {
        ed25519 = Keys.generate(dir, "a", "ed25519").publicKey();
        rsa = Keys.generate(dir, "b", "rsa").publicKey();
        ecdsa = Keys.generate(dir, "c", "ecdsa").publicKey();
    }

    @Test
    void realKeysOfEveryCommonTypeAreAccepted() {
        assertEquals(Optional.empty(), SshKeys.problem(ed25519));
        assertEquals(Optional.empty(), SshKeys.problem(rsa));
        assertEquals(Optional.empty(), SshKeys.problem(ecdsa));
        assertEquals(Optional.empty(), SshKeys.problem("no-pty,command=\"echo a b\" " + ed25519));
    }

    @Test
    void malformedKeysSayWhatIsWrong() {
        String blob = ed25519.split(" ")[1];
        assertTrue(SshKeys.problem("ssh-foo " + blob).get().startsWith("no known key type"));
        assertEquals("no key data after ssh-ed25519", SshKeys.problem("ssh-ed25519").get());
        assertEquals("key data is not valid base64", SshKeys.problem("ssh-ed25519 AAAA!!!!").get());
        assertEquals("key data is a ssh-ed25519 key, not ssh-rsa", SshKeys.problem("ssh-rsa " + blob).get());
        String truncated = Base64.getEncoder().encodeToString(new byte[] {0, 0, 0, 40, 's'});
        assertEquals("key data is truncated", SshKeys.problem("ssh-ed25519 " + truncated).get());
        assertTrue(SshKeys.problem(ed25519 + "\n" + rsa).isPresent());
    }

    @Test
    void badKeysAreSkippedWithAWarningAndDuplicatesDropped() {
        List<String> warnings = new ArrayList<>();
        String lines = SshKeys.validKeys("core", List.of(
                new SshKeys.Declared(ed25519, "aws metadata"),
                new SshKeys.Declared("ssh-rsa garbage!", "user-data:ssh_authorized_keys"),
                new SshKeys.Declared(ed25519.replace("a@test", "same key, other comment"), "user-data:ssh.core"),
                new SshKeys.Declared(rsa, "user-data:ssh.core")), warnings);
        assertEquals(ed25519 + "\n" + rsa + "\n", lines);
        assertEquals(List.of("ssh key #2 for core (user-data:ssh_authorized_keys) skipped: key data is not valid base64"),
                warnings);
    }
}
