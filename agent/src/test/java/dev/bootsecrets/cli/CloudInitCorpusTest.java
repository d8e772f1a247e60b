package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * cloud-init's own examples (Debian's cloud-init 22.4 package) as a user would try them: each
 * through {@code check --user-data} and through {@code run} from a NoCloud seed into a sandbox
 * root (users core, deploy and myapp; the default policy). Each is accepted, or refused exactly
 * as the table below says, so a change in behaviour shows.
 */
class CloudInitCorpusTest {
    /** Why an example is refused, and the words of the refusal that must say so. */
    record Refusal(String why, String says) {}

    /** The seed directory example: its meta-data and user-data, read by the NoCloud provider. */
    static final String SEED = "seed/";

    static final Map<String, Refusal> REFUSED = Map.of(
            "cloud-config-ansible-controller.txt", new Refusal(
                    "by design: its write_files belong to user ansible, which the image lacks and bootsecrets creates no accounts",
                    "user-data:write_files[0]: owner ansible is not a user in the target root's /etc/passwd"),
            "cloud-config-ansible-managed.txt", new Refusal(
                    "by design: its keys are for user ansible, which the image lacks and bootsecrets creates no accounts",
                    "ssh keys for ansible (user-data:users[0]): no such user in the target root's /etc/passwd"),
            "cloud-config-user-groups.txt", new Refusal(
                    "by design: its keys are for users barfoo and fizzbuzz, which the image lacks (no account creation)",
                    "ssh keys for barfoo (user-data:users[2]): no such user in the target root's /etc/passwd"),
            "cloud-config-write-files.txt", new Refusal(
                    "broken: its contents are cut short ('...' after a base64 text, a '....' line in a !!binary);"
                            + " cloud-init's base64 decoding skips the dots and writes what is left, bootsecrets"
                            + " refuses a value that is not base64 (CloudInitParityTest shows both)",
                    "user-data: line 21, column 12: a !!binary value that is not base64"));

    /** What an accepted example writes besides the agent's own state; nothing when not listed. */
    static final Map<String, List<String>> WRITES = Map.of(
            "cloud-config-ssh-keys.txt", List.of("/var/home/core/.ssh/authorized_keys"),
            "cloud-config.txt", List.of("/var/home/core/.ssh/authorized_keys"),
            SEED, List.of("/var/home/core/.ssh/authorized_keys"));

    /** Accepted examples that write a key twice where bootsecrets does not read: the first warning. */
    static final Map<String, String> WARNED = Map.of(
            "cloud-config-add-apt-repos.txt",
            "user-data: line 42: duplicate key apt: the last one wins, as in cloud-init (bootsecrets does not read it)",
            "cloud-config-disk-setup.txt",
            "user-data: line 25: duplicate key disk_setup: the last one wins, as in cloud-init (bootsecrets does not read it)");

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> everyExampleIsAcceptedOrRefusedAsTheTableSays() throws IOException {
        List<String> names = new ArrayList<>(CloudInitPackage.examples());
        names.add(SEED);
        Set<String> tabled = new HashSet<>(REFUSED.keySet());
        tabled.addAll(WRITES.keySet());
        tabled.addAll(WARNED.keySet());
        tabled.removeAll(names);
        assertEquals(Set.of(), tabled, "examples in the table but not in the package");
        assertEquals(37, names.size(), "cloud-init 22.4 ships 36 example files and a seed directory: " + names);
        return names.stream().map(name -> DynamicTest.dynamicTest(name, () -> oneExample(name)));
    }

    private void oneExample(String name) throws IOException {
        Path work = Files.createDirectories(dir.resolve(name.replace("/", "")));
        byte[] userData = name.equals(SEED) ? CloudInitPackage.example("seed/user-data") : CloudInitPackage.example(name);
        byte[] metaData = name.equals(SEED) ? CloudInitPackage.example("seed/meta-data")
                : "instance-id: i-corpus\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Path root = Agent.sandbox(work);
        Path file = Files.write(work.resolve("user-data"), userData);
        Optional<Refusal> refusal = Optional.ofNullable(REFUSED.get(name));

        Agent.Run check = Agent.main("check", "--user-data", file.toString(), "--root", root.toString());
        Agent.Run run = runSeed(root, metaData, userData);
        if (refusal.isPresent()) {
            assertEquals(ExitCode.INVALID, check.exit(), check.all());
            assertTrue(check.out().contains(refusal.get().says()), refusal.get().why() + "\n" + check.all());
            assertEquals(ExitCode.INVALID, run.exit(), run.all());
            assertTrue(run.err().contains(refusal.get().says()), refusal.get().why() + "\n" + run.all());
            assertEquals(List.of(), written(root), "a refused example writes nothing");
            return;
        }
        assertEquals(ExitCode.OK, check.exit(), check.all());
        assertTrue(check.out().strip().endsWith("valid"), check.all());
        assertEquals(ExitCode.OK, run.exit(), run.all());
        assertEquals(WRITES.getOrDefault(name, List.of()), written(root), run.all());
        String warning = WARNED.get(name);
        for (Agent.Run r : List.of(check, run)) {
            if (warning != null) {
                assertTrue(r.err().contains("<4>" + warning), r.all());
            } else {
                assertFalse(r.err().contains("duplicate key"), r.all());
            }
        }
    }

    /** {@code run --provider nocloud} with the seed in the root's default seed directory. */
    private static Agent.Run runSeed(Path root, byte[] metaData, byte[] userData) throws IOException {
        Path seed = Files.createDirectories(root.resolve("var/lib/bootsecrets/seed"));
        Files.write(seed.resolve("meta-data"), metaData);
        Files.write(seed.resolve("user-data"), userData);
        return Agent.main("run", "--root", root.toString(), "--provider", "nocloud");
    }

    /** The files under the root that are outputs: not the sandbox's own, the seed, or the agent's state. */
    private static List<String> written(Path root) throws IOException {
        return Agent.files(root).stream()
                .filter(f -> !f.startsWith("/etc/passwd") && !f.startsWith("/etc/group"))
                .filter(f -> !f.startsWith("/var/lib/bootsecrets/") && !f.startsWith("/run/bootsecrets/"))
                .toList();
    }
}
