package dev.bootsecrets.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.testing.Tool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host-key credentials made here are the ones systemd makes: the real {@code systemd-creds}
 * (pointed at a sandbox key file with $SYSTEMD_CREDENTIAL_SECRET, so the host's is never
 * touched) decrypts what Java encrypted, and Java decrypts what systemd-creds encrypted.
 * systemd binds the key file to this host's machine-id, so the sandbox gets a copy of it.
 */
class CredentialBlobTest {
    @TempDir
    Path dir;

    Path root;
    Path keyFile;

    @BeforeEach
    void sandbox() throws Exception {
        root = dir.resolve("root");
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("var/lib/systemd"));
        Files.copy(Path.of("/etc/machine-id"), root.resolve("etc/machine-id"));
        keyFile = root.resolve("var/lib/systemd/credential.secret");
    }

    Map<String, String> sandboxKey() {
        return Map.of("SYSTEMD_CREDENTIAL_SECRET", keyFile.toString());
    }

    @Test
    void systemdCredsDecryptsWhatJavaEncrypted() throws Exception {
        byte[] every = new byte[300];
        for (int i = 0; i < every.length; i++) {
            every[i] = (byte) i; // every byte value, NUL and newline included
        }
        Path blob = dir.resolve("db-password");
        try (TargetRoot target = TargetRoot.open(root)) {
            byte[] machineId = HostKey.machineId(target).orElseThrow();
            target.write(HostKey.PATH, HostKey.newFile(machineId, new SecureRandom()).bytes(), 0, 0, 0400);
            HostKey key = HostKey.load(target, machineId).orElseThrow();
            Files.write(blob, CredentialBlob.encrypt(key, "db-password", Secret.of(every), 1_700_000_000_000_000L, new SecureRandom()));
        }

        Tool.Result decrypted = Tool.run(List.of("systemd-creds", "decrypt", "--name=db-password", blob.toString(), "-"),
                sandboxKey(), new byte[0]);
        assertEquals(0, decrypted.exit(), decrypted.toString());
        assertArrayEquals(every, decrypted.stdout());

        Tool.Result renamed = Tool.run(List.of("systemd-creds", "decrypt", "--name=other", blob.toString(), "-"),
                sandboxKey(), new byte[0]);
        assertNotEquals(0, renamed.exit());
        assertTrue(renamed.stderr().contains("does not match"), renamed.stderr());
    }

    @Test
    void javaDecryptsWhatSystemdCredsEncrypted() throws Exception {
        Tool.Result setup = Tool.run(List.of("systemd-creds", "setup"), sandboxKey(), new byte[0]);
        assertEquals(0, setup.exit(), setup.toString());
        byte[] value = "s3cr3t value\nwith a second line".getBytes(StandardCharsets.UTF_8);
        Tool.Result encrypted = Tool.run(List.of("systemd-creds", "encrypt", "--with-key=host", "--name=api.key", "-", "-"),
                sandboxKey(), value);
        assertEquals(0, encrypted.exit(), encrypted.toString());

        try (TargetRoot target = TargetRoot.open(root)) {
            byte[] machineId = HostKey.machineId(target).orElseThrow();
            HostKey key = HostKey.load(target, machineId).orElseThrow(); // the binding is computed as systemd does
            Secret held = CredentialBlob.decrypt(key, "api.key", encrypted.stdout()).orElseThrow();
            assertArrayEquals(value, held.bytes());
            assertTrue(CredentialBlob.decrypt(key, "other", encrypted.stdout()).isEmpty(), "another name");

            byte[] otherMachine = machineId.clone();
            otherMachine[0] ^= 1;
            assertTrue(HostKey.load(target, otherMachine).isEmpty(), "a key file is only for its own machine-id");
        }
    }

    @Test
    void anotherKeyOrABrokenBlobIsNotTakenForTheValue() throws Exception {
        SecureRandom random = new SecureRandom();
        byte[] machineId = new byte[16];
        HostKey one = HostKey.of(HostKey.newFile(machineId, random));
        HostKey two = HostKey.of(HostKey.newFile(machineId, random));
        byte[] blob = CredentialBlob.encrypt(one, "x", Secret.ofUtf8("value"), 0, random);
        assertEquals("value", CredentialBlob.decrypt(one, "x", blob).orElseThrow().utf8());
        assertTrue(CredentialBlob.decrypt(two, "x", blob).isEmpty());
        byte[] flipped = Arrays.copyOf(blob, blob.length);
        flipped[70] = (byte) (flipped[70] == 'A' ? 'B' : 'A');
        assertTrue(CredentialBlob.decrypt(one, "x", flipped).isEmpty());
        assertTrue(CredentialBlob.decrypt(one, "x", "not base64 !!".getBytes(StandardCharsets.US_ASCII)).isEmpty());
    }

    @Test
    void aMachineIdThatIsNotSetYetIsNone() throws Exception {
        Files.writeString(root.resolve("etc/machine-id"), "uninitialized\n");
        try (TargetRoot target = TargetRoot.open(root)) {
            assertTrue(HostKey.machineId(target).isEmpty());
            Files.delete(root.resolve("etc/machine-id"));
            assertTrue(HostKey.machineId(target).isEmpty());
        }
    }
}
