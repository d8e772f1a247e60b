package dev.bootsecrets.cli;

import static dev.bootsecrets.cli.Agent.mode;
import static dev.bootsecrets.cli.Agent.owner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.testing.Emulated;
import dev.bootsecrets.store.Store;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reboot a user fears: a good run, then a boot with the metadata service (or the join)
 * down, into a fresh /run. With {@code offline:} in the image's config the last-known-good
 * state comes back, marked stale; without it, or when too old, nothing is written.
 */
class OfflineTest {
    static final String TOKEN = "demo-registry-token-0001";
    static final String STORE = "var/lib/bootsecrets/store";

    @TempDir
    Path dir;

    @RegisterExtension
    final Emulated cloud = new Emulated();

    Path root;
    Emulator emulator;

    @BeforeEach
    void start() throws Exception {
        root = Agent.sandbox(dir);
        Files.writeString(root.resolve("etc/machine-id"), "4f1c2a9e8d7b6c5a4f3e2d1c0b9a8f7e\n");
        imageConfig("offline: {maxAge: 7d}\n");
        emulator = cloud.start("aws", Scenario.sample("aws"));
    }

    void imageConfig(String yaml) throws IOException {
        Path file = root.resolve("usr/lib/bootsecrets/config.d/50-offline.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
    }

    Agent.Run run() {
        return Agent.run(root, emulator.url().toString());
    }

    /** The metadata service down: a port nothing listens on any more, and a short deadline. */
    Agent.Run runDown() throws IOException {
        Agent.writeConfig(root, "metadata: {deadline: 2s}\n");
        String url = emulator.url().toString();
        emulator.close();
        return Agent.run(root, url);
    }

    /** A reboot: /run is a new tmpfs. */
    void reboot() throws IOException {
        try (Stream<Path> walk = Files.walk(root.resolve("run"))) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    void serveUserData(String userData) throws Exception {
        emulator.close();
        emulator = cloud.start("aws", Agent.withUserData(userData));
    }

    List<String> storeFiles() throws IOException {
        try (Stream<Path> list = Files.list(root.resolve(STORE))) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    Path record(String prefix) throws IOException {
        List<String> files = storeFiles();
        return files.stream().filter(n -> n.startsWith(prefix)).map(n -> root.resolve(STORE).resolve(n))
                .findFirst().orElseThrow(() -> new AssertionError("no record " + prefix + " in " + files));
    }

    static void assertNoSecret(String... texts) {
        for (String text : texts) {
            assertFalse(text.contains(TOKEN), "a stored value leaked: " + text);
        }
    }

    @Test
    void aGoodRunKeepsTheValuesItUsedEncryptedInARootOnlyStore() throws Exception {
        Agent.Run run = run();
        assertEquals(0, run.exit(), run.all());
        Path store = root.resolve(STORE);
        assertEquals("rwx------", mode(store));
        assertEquals("0:0", owner(store));
        List<String> files = storeFiles();
        assertTrue(files.contains("id") && files.contains("index") && files.contains("key-1.host"), files.toString());
        assertTrue(files.stream().anyMatch(f -> f.startsWith("secret.api-token.")), files.toString());
        assertEquals(1, files.stream().filter(f -> f.startsWith("secret.")).count(), "one record per secret used: " + files);
        for (String f : files) {
            String content = Files.readString(store.resolve(f), StandardCharsets.ISO_8859_1);
            assertNoSecret(content);
            assertFalse(content.contains("metadata:attributes/registry-token"), "the source is not in clear text: " + f);
            assertFalse(content.contains("alice@laptop"), "user-data is not in clear text: " + f);
        }
        assertEquals("r--------", mode(store.resolve("key-1.host")));
        assertEquals("rw-------", mode(record("secret.api-token.")));
        assertTrue(Files.exists(root.resolve("var/lib/systemd/credential.secret")), "the host key seals the store key");
        assertNoSecret(run.all());
    }

    @Test
    void aSaveKilledEarlierLeavesNoTempFilesAfterTheNextRun() throws Exception {
        assertEquals(0, run().exit());
        Path stale = Files.writeString(root.resolve(STORE + "/.index.bootsecrets-0123456789abcdef"), "half");

        Agent.Run run = run();

        assertEquals(0, run.exit(), run.all());
        assertFalse(Files.exists(stale));
        assertTrue(run.err().contains("store: removed /" + STORE + "/.index.bootsecrets-0123456789abcdef"), run.err());
    }

    @Test
    void withoutOfflineInTheImageConfigNothingIsStored() throws Exception {
        imageConfig("{}\n");
        assertEquals(0, run().exit());
        assertFalse(Files.exists(root.resolve(STORE)));
        reboot();
        assertEquals(ExitCode.UNREACHABLE, runDown().exit());
        assertFalse(Files.exists(root.resolve("run/credstore/api-token")));
    }

    @Test
    void aRebootWithTheMetadataServiceDownRestoresTheOutputsMarkedStale() throws Exception {
        assertEquals(0, run().exit());
        Map<String, String> before = outputs();
        reboot();
        Agent.Run down = runDown();
        assertEquals(ExitCode.STALE, down.exit(), down.all());
        assertEquals(before, outputs(), "the same outputs with the same content, owners and modes");
        assertTrue(Files.readString(root.resolve("var/home/core/.ssh/authorized_keys")).contains("alice@laptop"));
        assertTrue(down.err().contains("<4>offline: metadata service unreachable"), down.err());
        String status = Files.readString(root.resolve("run/bootsecrets/status.json"));
        assertTrue(status.contains("\"outcome\" : \"stale\""), status);
        assertTrue(status.contains("\"ageSeconds\""), status);
        assertTrue(status.contains("metadata service unreachable"), status);
        assertNoSecret(down.all(), status);

        Agent.Run listed = Agent.main("status", "--root", root.toString());
        assertTrue(listed.out().contains("stale: applied the last-known-good state"), listed.out());
        assertTrue(listed.out().matches("(?s).*secret:api-token +[0-9]+s +from metadata:attributes/registry-token.*"),
                listed.out());
        assertNoSecret(listed.all());
    }

    /** Content, owner and mode of every output under /run and the user's keys. */
    Map<String, String> outputs() throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        List<Path> paths = new ArrayList<>(List.of(root.resolve("var/home/core/.ssh/authorized_keys"),
                root.resolve("var/home/deploy/.ssh/authorized_keys")));
        try (Stream<Path> walk = Files.walk(root.resolve("run"))) {
            walk.filter(Files::isRegularFile).filter(p -> !p.toString().contains("run/bootsecrets/status.json")
                    && !p.toString().endsWith("/lock")).forEach(paths::add);
        }
        for (Path p : paths) {
            out.put(root.relativize(p).toString(), owner(p) + " " + mode(p) + " " + Files.readString(p));
        }
        assertTrue(out.containsKey("run/credstore/api-token"), out.keySet().toString());
        assertTrue(out.containsKey("run/ostree/auth.json"), out.keySet().toString());
        assertTrue(out.containsKey("run/bootsecrets/env/myapp.env"), out.keySet().toString());
        return out;
    }

    @Test
    void beyondMaxAgeNothingIsWritten() throws Exception {
        imageConfig("offline: {maxAge: 1s}\n");
        assertEquals(0, run().exit());
        reboot();
        Thread.sleep(1500);
        Agent.Run down = runDown();
        assertEquals(ExitCode.UNREACHABLE, down.exit(), down.all());
        assertTrue(down.err().contains("over offline.maxAge"), down.err());
        assertFalse(Files.exists(root.resolve("run/credstore/api-token")));
        assertFalse(Files.exists(root.resolve("run/ostree/auth.json")));
    }

    @Test
    void invalidUserDataStaysExit3AndRestoresNothing() throws Exception {
        assertEquals(0, run().exit());
        reboot();
        serveUserData("#cloud-config\nbootsecrets: {secrets: {x: {from: \"nowhere:1\"}}}\n");
        Agent.Run bad = run();
        assertEquals(ExitCode.INVALID, bad.exit(), bad.all());
        assertFalse(Files.exists(root.resolve("run/credstore/api-token")));
    }

    @Test
    void aDroppedDeclarationHasItsRecordDeletedAndIsNotResurrected() throws Exception {
        String base = "#cloud-config\nbootsecrets:\n  secrets:\n    api-token: {from: \"metadata:attributes/registry-token\"}\n"
                + "  credentials:\n    api-token: {secret: api-token}\n";
        serveUserData(base.replace("  credentials:", "    old: {value: \"old-value-1\"}\n  credentials:")
                + "    old-token: {secret: api-token}\n    old: {secret: old}\n");
        assertEquals(0, run().exit());
        assertTrue(Files.exists(root.resolve("run/credstore/old-token")));
        assertTrue(storeFiles().stream().anyMatch(f -> f.startsWith("secret.old.")), storeFiles().toString());
        serveUserData(base);
        assertEquals(0, run().exit());
        assertFalse(Files.exists(root.resolve("run/credstore/old-token")), "taken back by the good run");
        assertFalse(storeFiles().stream().anyMatch(f -> f.startsWith("secret.old.")), "deleted in the same run: " + storeFiles());
        assertEquals(1, storeFiles().stream().filter(f -> f.startsWith("secret.")).count(), storeFiles().toString());
        reboot();
        Agent.Run down = runDown();
        assertEquals(ExitCode.STALE, down.exit(), down.all());
        assertTrue(Files.exists(root.resolve("run/credstore/api-token")));
        assertFalse(Files.exists(root.resolve("run/credstore/old-token")), "a dropped declaration came back");
        assertFalse(Files.exists(root.resolve("run/credstore/old")), "a dropped secret came back");
    }

    @Test
    void aFlippedByteIsRefusedByNameAndTheOthersStillApply() throws Exception {
        assertEquals(0, run().exit());
        Path rec = record("secret.api-token.");
        byte[] bytes = Files.readAllBytes(rec);
        bytes[bytes.length - 5] ^= 0x01;
        Files.write(rec, bytes);

        Agent.Run verify = Agent.main("store", "verify", "--root", root.toString());
        assertEquals(ExitCode.PARTIAL, verify.exit(), verify.all());
        assertTrue(verify.out().contains("refused  secret:api-token: its tag does not verify"), verify.out());

        reboot();
        Agent.Run down = runDown();
        assertEquals(ExitCode.STALE, down.exit(), down.all());
        assertTrue(down.err().contains("record refused, not applied: secret:api-token"), down.err());
        assertFalse(Files.exists(root.resolve("run/credstore/api-token")), "nothing from a record that fails its tag");
        assertTrue(Files.readString(root.resolve("var/home/core/.ssh/authorized_keys")).contains("alice@laptop"),
                "the rest of the stored state still applies");
        String status = Files.readString(root.resolve("run/bootsecrets/status.json"));
        assertTrue(status.contains("secret:api-token: its tag does not verify"), status);
        assertNoSecret(down.all(), verify.all(), status);
    }

    @Test
    void aRecordMovedToAnotherNameIsRefusedByName() throws Exception {
        serveUserData("#cloud-config\nbootsecrets:\n  secrets:\n    a: {value: \"aaaa-1111\"}\n    b: {value: \"bbbb-2222\"}\n"
                + "  credentials:\n    a: {secret: a}\n    b: {secret: b}\n");
        assertEquals(0, run().exit());
        Files.copy(record("secret.a."), record("secret.b."), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        reboot();
        Agent.Run down = runDown();
        assertEquals(ExitCode.STALE, down.exit(), down.all());
        assertTrue(down.err().contains("record refused, not applied: secret:b: its tag does not verify"), down.err());
        assertEquals("aaaa-1111", Files.readString(root.resolve("run/credstore/a")));
        assertFalse(Files.exists(root.resolve("run/credstore/b")), "b's name with a's value");
    }

    @Test
    void configOrUserDataCannotTurnOfflineOn() throws Exception {
        imageConfig("{}\n");
        Agent.writeConfig(root, "offline: {maxAge: 7d}\n");
        Agent.Run etc = run();
        assertEquals(ExitCode.INVALID, etc.exit(), etc.all());
        assertTrue(etc.err().contains("offline: only the image's config"), etc.err());
        Files.delete(root.resolve("etc/bootsecrets/config.yaml"));
        serveUserData("#cloud-config\nbootsecrets: {offline: {maxAge: 7d}}\n");
        Agent.Run ud = run();
        assertEquals(ExitCode.INVALID, ud.exit(), ud.all());
        assertTrue(ud.err().contains("offline: user-data may not set this"), ud.err());
        assertFalse(Files.exists(root.resolve(STORE)));
    }

    @Test
    void aBadOfflineBlockNamesItsFields() throws Exception {
        imageConfig("offline: {key: tpm}\n");
        Agent.Run run = run();
        assertEquals(ExitCode.INVALID, run.exit(), run.all());
        assertTrue(run.err().contains("offline.maxAge: is required"), run.err());
        assertTrue(run.err().contains("offline.key: must be auto"), run.err());
        imageConfig("offline: {maxAge: 7 days}\n");
        Agent.Run days = run();
        assertEquals(ExitCode.INVALID, days.exit(), days.all());
        assertTrue(days.err().contains("offline.maxAge: must be a duration"), days.err());
    }

    @Test
    void anExportedKeyOpensTheStoreOnAMachineWhoseSealedKeyDoesNot() throws Exception {
        assertEquals(0, run().exit());
        ByteArrayOutputStream exported = new ByteArrayOutputStream();
        int exit = StoreCommand.run(new String[] {"store", "export-key", "--root", root.toString()},
                new ByteArrayInputStream(new byte[0]), new PrintStream(exported, true));
        assertEquals(0, exit);
        String line = exported.toString(StandardCharsets.US_ASCII);
        assertTrue(line.startsWith("bootsecrets-store-key 1 "), line);

        // Another machine: a new machine-id, so the host key (and the key sealed with it) do not open.
        Files.writeString(root.resolve("etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
        Agent.Run refused = Agent.main("store", "verify", "--root", root.toString());
        assertEquals(ExitCode.INVALID, refused.exit(), refused.all());
        assertTrue(refused.err().contains("store key 1"), refused.err());

        assertEquals(ExitCode.INVALID, StoreCommand.run(new String[] {"store", "import-key", "--root", root.toString()},
                new ByteArrayInputStream("bootsecrets-store-key 1 nonsense".getBytes()), new PrintStream(new ByteArrayOutputStream())));
        exit = StoreCommand.run(new String[] {"store", "import-key", "--root", root.toString()},
                new ByteArrayInputStream(exported.toByteArray()), new PrintStream(new ByteArrayOutputStream()));
        assertEquals(0, exit);
        Agent.Run verify = Agent.main("store", "verify", "--root", root.toString());
        assertEquals(0, verify.exit(), verify.all());
        assertTrue(verify.out().contains("ok       secret:api-token"), verify.out());
        assertFalse(verify.all().contains(line.split(" ")[4].strip()), "the key is not printed");
    }

    @Test
    void rekeyReSealsEveryRecordAndRemovesTheOldKey() throws Exception {
        assertEquals(0, run().exit());
        Agent.Run rekey = Agent.main("store", "rekey", "--root", root.toString());
        assertEquals(0, rekey.exit(), rekey.all());
        List<String> files = storeFiles();
        assertTrue(files.contains("key-2.host") && !files.contains("key-1.host"), files.toString());
        assertTrue(Files.readString(record("secret.api-token.")).startsWith("bootsecrets-store 1 2 "));
        reboot();
        assertEquals(ExitCode.STALE, runDown().exit());
        assertTrue(Files.exists(root.resolve("run/credstore/api-token")));
    }

    Process rekeyChild() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "store", "rekey", "--root", root.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void rekeyKilledAtRandomPointsAlwaysLeavesAStoreThatOpens() throws Exception {
        StringBuilder many = new StringBuilder("#cloud-config\nbootsecrets:\n  secrets:\n");
        StringBuilder creds = new StringBuilder("  credentials:\n");
        for (int i = 0; i < 40; i++) {
            many.append("    s").append(i).append(": {value: \"value-").append(i).append("-xxxxxxxx\"}\n");
            creds.append("    c").append(i).append(": {secret: s").append(i).append("}\n");
        }
        serveUserData(many.toString() + creds);
        assertEquals(0, run().exit());
        long whole = System.nanoTime();
        assertEquals(0, rekeyChild().waitFor(), "a rekey left alone finishes");
        long millis = (System.nanoTime() - whole) / 1_000_000;
        Random random = new Random();
        int midway = 0;
        for (int round = 0; round < 12; round++) {
            long keys = storeFiles().stream().filter(f -> f.startsWith("key-")).count();
            Process child = rekeyChild();
            if (round % 2 == 0) {
                // From the middle of the JVM's start to the end of a whole rekey.
                Thread.sleep(millis / 3 + random.nextLong(millis));
            } else {
                // The moment the new key is on disk, with a random bit of the re-sealing done: on a
                // quiet machine a whole rekey is mostly the JVM's start, which random times miss.
                while (child.isAlive() && storeFiles().stream().filter(f -> f.startsWith("key-")).count() == keys) {
                    Thread.onSpinWait();
                }
                Thread.sleep(0, random.nextInt(1_000_000));
            }
            child.destroyForcibly(); // SIGKILL
            child.waitFor();
            if (storeFiles().stream().filter(f -> f.startsWith("key-")).count() > 1) {
                midway++; // killed between writing the new key and removing the old
            }
            try (TargetRoot r = TargetRoot.open(root)) {
                Store.Opened opened = Store.open(r);
                assertEquals(40, opened.values().size(), "round " + round + ": " + opened.refused());
                assertTrue(opened.refused().isEmpty(), "round " + round + ": " + opened.refused());
            }
        }
        assertTrue(midway > 0, "no rekey was killed midway; the test did not test");
        Agent.Run rekey = Agent.main("store", "rekey", "--root", root.toString());
        assertEquals(0, rekey.exit(), rekey.all());
        assertEquals(1, storeFiles().stream().filter(f -> f.startsWith("key-")).count(), "old keys removed: " + storeFiles());
        System.out.println("rekey killed midway in " + midway + " of 12 rounds (a whole rekey: " + millis + " ms)");
    }
}
