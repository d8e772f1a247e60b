package dev.bootsecrets.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.config.Offline.KeySealing;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store on its own: what it writes, and what it refuses. */
class StoreTest {
    @TempDir
    Path dir;

    static Store.Snapshot snapshot(String... nameValue) {
        List<StoredValue> values = new java.util.ArrayList<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            values.add(new StoredValue(nameValue[i], Secret.ofUtf8(nameValue[i + 1]), Instant.now(), "value"));
        }
        InstanceMetadata m = new InstanceMetadata("aws", "i-1", "h", "r", "z", Map.of("", List.of("ssh-ed25519 AAAA k")),
                Optional.of("#cloud-config\n".getBytes(StandardCharsets.UTF_8)), Map.of(), Optional.empty());
        return new Store.Snapshot(values, m);
    }

    Path root(String name) throws Exception {
        Path root = Files.createDirectories(dir.resolve(name));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/machine-id"), "4f1c2a9e8d7b6c5a4f3e2d1c0b9a8f7e\n");
        return root;
    }

    @Test
    void aPlainKeyFileIsTheKeyAloneRootReadOnly() throws Exception {
        Path root = root("a");
        try (TargetRoot r = TargetRoot.open(root)) {
            Store.save(r, KeySealing.FILE, snapshot("secret:a", "aaaa"));
            Store.Opened opened = Store.open(r);
            assertEquals("aaaa", opened.values().get("secret:a").value().utf8());
            assertEquals("ssh-ed25519 AAAA k", opened.metadata().sshKeys().get("").getFirst());
            assertEquals("#cloud-config\n", new String(opened.metadata().userData().orElseThrow(), StandardCharsets.UTF_8));
        }
        Path key = root.resolve("var/lib/bootsecrets/store/key-1.plain");
        assertEquals(32, Files.size(key));
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    }

    @Test
    void aRecordFromAnotherStoreIsRefusedByName() throws Exception {
        Path one = root("one");
        Path two = root("two");
        try (TargetRoot a = TargetRoot.open(one); TargetRoot b = TargetRoot.open(two)) {
            Store.save(a, KeySealing.FILE, snapshot("secret:a", "from-one"));
            Store.save(b, KeySealing.FILE, snapshot("secret:a", "from-two"));
            // Even with the same key: the store's id is in every record's additional data.
            Files.copy(one.resolve("var/lib/bootsecrets/store/key-1.plain"), two.resolve("var/lib/bootsecrets/store/key-1.plain"),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.copy(one.resolve("var/lib/bootsecrets/store/index"), two.resolve("var/lib/bootsecrets/store/index"),
                    StandardCopyOption.REPLACE_EXISTING);
            Store.StoreException e = assertThrows(Store.StoreException.class, () -> Store.open(b));
            assertTrue(e.getMessage().startsWith("index: its tag does not verify"), e.getMessage());
        }
    }

    @Test
    void aRecordPutBackFromAnOlderRunIsRefused() throws Exception {
        Path root = root("old");
        try (TargetRoot r = TargetRoot.open(root)) {
            Store.save(r, KeySealing.FILE, snapshot("secret:a", "first"));
            byte[] old = Files.readAllBytes(root.resolve("var/lib/bootsecrets/store/secret.a.1"));
            Store.save(r, KeySealing.FILE, snapshot("secret:a", "second"));
            assertTrue(Files.notExists(root.resolve("var/lib/bootsecrets/store/secret.a.1")), "the old version is removed");
            Files.write(root.resolve("var/lib/bootsecrets/store/secret.a.2"), old);
            Store.Opened opened = Store.open(r);
            assertTrue(opened.values().isEmpty());
            assertEquals(List.of("secret:a: its tag does not verify (changed, moved from another name, or from another store)"),
                    opened.refused());
        }
    }

    @Test
    void theHostKeyNeedsAMachineId() throws Exception {
        Path root = root("nomid");
        Files.delete(root.resolve("etc/machine-id"));
        try (TargetRoot r = TargetRoot.open(root)) {
            Exception e = assertThrows(java.io.IOException.class, () -> Store.save(r, KeySealing.AUTO, snapshot("secret:a", "x")));
            assertTrue(e.getMessage().contains("/etc/machine-id is not set"), e.getMessage());
        }
    }
}
