package dev.bootsecrets.packaging;

import static dev.bootsecrets.packaging.PackagingTest.SYSTEMD;
import static dev.bootsecrets.packaging.PackagingTest.UNITS;
import static dev.bootsecrets.packaging.PackagingTest.section;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bootsecrets.output.PodmanRegistration;
import dev.bootsecrets.output.PodmanSecrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bootsecrets-podman-sync.service: podman's secrets registered after the boot's run by a unit of
 * its own, which containers wait for and sshd does not; and the refresh unit's own sync.
 * (systemd-analyze verify runs on it with the other units: PackagingTest.)
 */
class PodmanSyncUnitTest {
    static final String SYNC = "bootsecrets-podman-sync.service";
    static final Path UNIT = SYSTEMD.resolve(SYNC);
    static final Path QUADLET_DROP_IN = SYSTEMD.resolve("container.d/10-bootsecrets.conf");
    record Case(boolean values, boolean registered) {}
    static final List<Case> CASES =
            List.of(new Case(false, false), new Case(true, false), new Case(false, true), new Case(true, true));

    @TempDir
    Path tmp;

    @Test
    void syncRunsTheAgentOnceAfterASuccessfulRunWithoutTheSandbox() throws IOException {
        Map<String, List<String>> unit = section(UNIT, "Unit");
        Map<String, List<String>> service = section(UNIT, "Service");
        assertEquals(List.of("oneshot"), service.get("Type"));
        assertEquals(List.of("yes"), service.get("RemainAfterExit"));
        assertEquals(List.of("/usr/bin/bootsecrets podman-secret sync"), service.get("ExecStart"));
        // After the run, and only after one that succeeded (a failed one may lack values the
        // last good run registered); a restart of the run syncs again.
        assertTrue(unit.get("After").contains("bootsecrets.service"), unit.toString());
        assertEquals(List.of("bootsecrets.service"), unit.get("Requisite"));
        assertEquals(List.of("bootsecrets.service"), unit.get("PartOf"));
        // podman needs its storage, mounts and locks: none of the boot unit's confinement.
        for (String setting : List.of("CapabilityBoundingSet", "NoNewPrivileges", "SystemCallFilter",
                "RestrictNamespaces", "RestrictAddressFamilies", "DevicePolicy", "ProtectSystem")) {
            assertFalse(service.containsKey(setting), setting);
        }
        // The boot unit pulls it in: nothing to enable.
        assertTrue(section(SYSTEMD.resolve("bootsecrets.service"), "Unit").get("Wants").contains(SYNC));
        assertFalse(Files.readString(UNIT).contains("[Install]"));
        assertTrue(UNITS.contains(SYNC), "verified, copied and shipped with the other units");
    }

    @Test
    void syncConditionsAreThePathsTheAgentWrites() throws IOException {
        // Triggering conditions ("|"): either one starts it; with neither, no process at all.
        assertEquals(List.of("|" + PodmanSecrets.DIR, "|" + PodmanRegistration.REGISTERED),
                section(UNIT, "Unit").get("ConditionPathExists"));
    }

    /** systemd's own evaluation of the unit's conditions, in a mount namespace with an empty /run and /var/lib. */
    @Test
    void systemdStartsTheSyncOnlyWhenEitherPathExists() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: unshare --mount");
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /var/lib && mkdir -p \"$1\" && if [ \"$2\" = yes ]; then"
                        + " mkdir -p \"$3\"; fi && if [ \"$4\" = yes ]; then : >\"$5\"; fi && shift 5 &&"
                        + " exec systemd-analyze condition \"$@\"", "sh"));
        for (Case c : CASES) {
            List<String> argv = new ArrayList<>(command);
            argv.addAll(List.of(Path.of(PodmanRegistration.REGISTERED).getParent().toString(),
                    c.values() ? "yes" : "no", PodmanSecrets.DIR, c.registered() ? "yes" : "no", PodmanRegistration.REGISTERED));
            section(UNIT, "Unit").get("ConditionPathExists").forEach(condition -> argv.add("ConditionPathExists=" + condition));
            PackagingTest.Run evaluated = PackagingTest.run(argv.toArray(String[]::new));
            assertEquals(c.values() || c.registered() ? 0 : 1, evaluated.status(), c + ": " + evaluated.output());
            assertTrue(evaluated.output().contains(c.values() || c.registered() ? "Conditions succeeded." : "Conditions failed."),
                    c + ": " + evaluated.output());
        }
    }

    /**
     * The ordering our units and the Quadlet drop-in set up (A before B from A's Before= and from
     * B's After=): a container comes after the sync, sshd after the run but not after the sync.
     */
    @Test
    void containersWaitForTheSyncAndSshdDoesNot() throws IOException {
        Map<String, Set<String>> before = new HashMap<>();
        Map<String, Path> files = new HashMap<>();
        for (String unit : UNITS) {
            files.put(unit, SYSTEMD.resolve(unit));
        }
        files.put("app.container", QUADLET_DROP_IN);
        for (var file : files.entrySet()) {
            Map<String, List<String>> unit = section(file.getValue(), "Unit");
            for (String later : unit.getOrDefault("Before", List.of())) {
                before.computeIfAbsent(file.getKey(), k -> new HashSet<>()).add(later);
            }
            for (String earlier : unit.getOrDefault("After", List.of())) {
                before.computeIfAbsent(earlier, k -> new HashSet<>()).add(file.getKey());
            }
        }
        Set<String> afterRun = after("bootsecrets.service", before);
        Set<String> afterSync = after(SYNC, before);
        assertTrue(afterRun.containsAll(List.of("sshd.service", "ssh.service", SYNC, "app.container")), afterRun.toString());
        assertTrue(afterSync.contains("app.container"), afterSync.toString());
        assertFalse(afterSync.contains("sshd.service") || afterSync.contains("ssh.service"), afterSync.toString());
        assertTrue(section(QUADLET_DROP_IN, "Unit").get("Wants").contains(SYNC));
        // Nothing of the sync is left in the boot unit's own start job, which sshd waits for.
        assertFalse(section(SYSTEMD.resolve("bootsecrets.service"), "Service").containsKey("ExecStartPost"));
    }

    /** Every unit ordered after {@code first}, directly or through others. */
    static Set<String> after(String first, Map<String, Set<String>> before) {
        Set<String> seen = new HashSet<>();
        Deque<String> next = new ArrayDeque<>(List.of(first));
        while (!next.isEmpty()) {
            for (String later : before.getOrDefault(next.pop(), Set.of())) {
                if (seen.add(later)) {
                    next.push(later);
                }
            }
        }
        return seen;
    }

    /**
     * The refresh unit's own sync, run by the shell as systemd would, with its two paths and the
     * agent put in this test's directory: the agent is started when either path is there, and only then.
     */
    @Test
    void refreshSyncStartsTheAgentOnlyWithSomethingToSync() throws Exception {
        String line = section(SYSTEMD.resolve("bootsecrets-refresh.service"), "Service").get("ExecStartPost").get(0);
        Matcher shell = Pattern.compile("\\+/bin/sh -c '([^']+)'").matcher(line);
        assertTrue(shell.matches(), line);
        String script = shell.group(1);
        for (String path : List.of(PodmanSecrets.DIR, PodmanRegistration.REGISTERED, "/usr/bin/bootsecrets")) {
            assertTrue(script.contains(path), path + " in " + script);
        }
        Path values = tmp.resolve("values"), registered = tmp.resolve("registered"), ran = tmp.resolve("ran");
        Path agent = tmp.resolve("agent");
        Files.writeString(agent, "#!/bin/sh\necho \"$@\" >" + ran + "\n");
        agent.toFile().setExecutable(true);
        String local = script.replace(PodmanSecrets.DIR, values.toString())
                .replace(PodmanRegistration.REGISTERED, registered.toString())
                .replace("/usr/bin/bootsecrets", agent.toString());
        for (Case c : CASES) {
            Files.deleteIfExists(ran);
            Files.deleteIfExists(registered);
            Files.deleteIfExists(values);
            if (c.values()) {
                Files.createDirectory(values);
            }
            if (c.registered()) {
                Files.writeString(registered, "app\n");
            }
            Process p = new ProcessBuilder("/bin/sh", "-c", local).inheritIO().start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), c.toString());
            if (c.values() || c.registered()) {
                assertEquals("podman-secret sync\n", Files.readString(ran), c.toString());
            } else {
                assertFalse(Files.exists(ran), c + ": the agent was started with nothing to sync");
            }
        }
    }
}
