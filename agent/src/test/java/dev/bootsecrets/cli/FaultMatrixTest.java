package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.Faults.Wire;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Emulated;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fault matrix: each case is a fault a boot can meet (network, filesystem, bad input), and
 * asserts what a user would notice: the exit code, the endpoint or field named, nothing
 * partial written, an earlier good file intact, and the run returning in bounded time.
 * scripts/test prints the counts per group.
 */
class FaultMatrixTest {
    /** Generous: a run held by a fault must still end within its deadline and this much more. */
    private static final Duration SLACK = Duration.ofSeconds(8);
    private static final Duration DEADLINE = Duration.ofSeconds(4);
    private static final String USER_DATA_ENDPOINT = "/latest/user-data";

    @RegisterExtension
    final Emulated cloud = new Emulated();

    @TempDir
    Path dir;

    Path root;

    @BeforeEach
    void start() throws Exception {
        root = Agent.sandbox(dir);
        Agent.writeConfig(root, "metadata: {deadline: " + DEADLINE.toSeconds() + "s}\n");
        cloud.start("aws", Scenario.sample("aws"));
    }

    Emulator emulator() {
        return cloud.emulator();
    }

    /** Serves {@code scenario} from a new emulator (the extension closes the last one). */
    void serve(Scenario scenario) throws IOException {
        cloud.emulator().close();
        cloud.start("aws", scenario);
    }

    void serveUserData(byte[] userData) throws IOException {
        Scenario s = Scenario.sample("aws");
        serve(new Scenario(s.instanceId(), s.hostname(), s.region(), s.zone(), s.sshKeys(), s.attributes(),
                Optional.of(userData), s.aws(), s.faults()));
    }

    /** A run, bounded: it must return within the deadline plus slack, whatever the fault. */
    Agent.Run run(String url) {
        return assertTimeoutPreemptively(DEADLINE.plus(SLACK), () -> Agent.run(root, url));
    }

    Agent.Run run() {
        return run(emulator().url().toString());
    }

    /** A good first run, so each fault can show that it keeps what was written. */
    String goodFirstRun() throws IOException {
        assertEquals(0, run().exit());
        return Files.readString(root.resolve("etc/motd"));
    }

    void assertNothingWrittenAndEarlierKept(List<String> before, String motd) throws IOException {
        List<String> after = Agent.files(root).stream().filter(p -> !p.startsWith("/run/bootsecrets/")).toList();
        assertEquals(before.stream().filter(p -> !p.startsWith("/run/bootsecrets/")).toList(), after);
        assertEquals(motd, Files.readString(root.resolve("etc/motd")));
        assertTrue(after.stream().noneMatch(p -> p.contains(".bootsecrets-")), after.toString());
    }

    @Nested
    class Network {
        /** A fault on the user-data endpoint: the run exits {@code exit} naming it and saying {@code why}. */
        void userDataFault(Wire fault, int exit, String why) throws IOException {
            String motd = goodFirstRun();
            List<String> before = Agent.files(root);
            emulator().faults().wire(USER_DATA_ENDPOINT, fault);

            Agent.Run run = run();

            assertEquals(exit, run.exit(), run.all());
            assertTrue(run.err().contains(emulator().url() + USER_DATA_ENDPOINT) && run.err().contains(why), run.err());
            assertNothingWrittenAndEarlierKept(before, motd);
        }

        @Test
        void connectionRefused() throws IOException {
            int port;
            try (var socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Agent.Run run = run("http://127.0.0.1:" + port);
            assertEquals(ExitCode.UNREACHABLE, run.exit(), run.all());
            assertTrue(run.err().contains("127.0.0.1:" + port) && run.err().contains("connection refused"), run.err());
            assertFalse(Files.exists(root.resolve("etc/motd")));
        }

        @Test
        void blackholeThatAcceptsAndNeverAnswers() throws IOException {
            try (var socket = new ServerSocket(0)) { // the backlog accepts; nobody reads or writes
                Agent.Run run = run("http://127.0.0.1:" + socket.getLocalPort());
                assertEquals(ExitCode.UNREACHABLE, run.exit(), run.all());
                assertTrue(run.err().contains("127.0.0.1:" + socket.getLocalPort()), run.err());
            }
        }

        @ParameterizedTest
        @ValueSource(ints = {500, 503, 429})
        void aBurstOfFailuresOrTooManyRequestsIsWaitedOut(int status) throws IOException {
            emulator().faults().failNext(4, status);

            Agent.Run run = run();

            assertEquals(0, run.exit(), run.all());
            assertEquals(4, emulator().log().requests().stream().filter(r -> r.status() == status).count());
            assertTrue(Files.exists(root.resolve("etc/motd")), run.all());
        }

        @Test
        void aRetryAfterWithinTheDeadlineIsHonoured() {
            emulator().faults().failNext(1, 429, Optional.of("1"));

            Agent.Run run = run();

            assertEquals(0, run.exit(), run.all());
            assertEquals(1, emulator().log().requests().stream().filter(r -> r.status() == 429).count());
            assertTrue(run.err().contains("(HTTP 429, asked to retry after 1 s)"), run.err());
            assertTrue(Files.exists(root.resolve("etc/motd")), run.all());
        }

        @Test
        void aRetryAfterPastTheDeadlineEndsTheRunAtOnceSayingSo() {
            emulator().faults().failNext(100, 503, Optional.of("3600"));

            Agent.Run run = run();

            assertEquals(ExitCode.UNREACHABLE, run.exit(), run.all());
            assertEquals(1, emulator().log().requests().size(), "asked once, not again until the deadline");
            assertTrue(run.err().contains(emulator().url() + "/latest/api/token: HTTP 503, asked to retry after 3600 s,"
                    + " past the deadline"), run.err());
            assertFalse(Files.exists(root.resolve("etc/motd")));
        }

        @Test
        void connectionsResetBeforeAnswering() {
            emulator().faults().dropNext(3);
            assertEquals(0, run().exit());
        }

        @Test
        void serviceLate() {
            emulator().faults().delay(Duration.ofMillis(300));
            assertEquals(0, run().exit());
        }

        @Test
        void tokenTtlOfOneSecond() {
            emulator().faults().tokenTtl(Duration.ofSeconds(1));
            emulator().faults().delay(Duration.ofMillis(200));
            assertEquals(0, run().exit());
        }

        @Test
        void tokenEndpointDown() throws IOException {
            String motd = goodFirstRun();
            List<String> before = Agent.files(root);
            emulator().faults().wire("/latest/api/token", new Wire.Truncated());
            Agent.Run run = run();
            assertEquals(ExitCode.UNREACHABLE, run.exit(), run.all());
            assertTrue(run.err().contains(emulator().url() + "/latest/api/token"), run.err());
            assertNothingWrittenAndEarlierKept(before, motd);
        }

        @Test
        void headerTrickle() throws IOException {
            userDataFault(new Wire.HeaderTrickle(Duration.ofMillis(500)), ExitCode.UNREACHABLE, "too slow");
        }

        @Test
        void bodyTrickle() throws IOException {
            userDataFault(new Wire.BodyTrickle(Duration.ofMillis(500)), ExitCode.UNREACHABLE, "too slow");
        }

        @Test
        void hugeBodyWithContentLength() throws IOException {
            userDataFault(new Wire.Huge(100L << 20, true), ExitCode.INVALID, "larger than");
        }

        @Test
        void hugeBodyWithoutContentLength() throws IOException {
            userDataFault(new Wire.Huge(100L << 20, false), ExitCode.INVALID, "larger than");
        }

        @Test
        void contentLengthLongerThanTheBody() throws IOException {
            userDataFault(new Wire.Truncated(), ExitCode.UNREACHABLE, "closed mid-response");
        }

        @Test
        void redirectToAnotherPortIsNotFollowed() throws IOException {
            try (Emulator elsewhere = Emulator.start("aws", new InetSocketAddress("127.0.0.1", 0), Scenario.sample("aws"))) {
                userDataFault(new Wire.Redirect(elsewhere.url().resolve(USER_DATA_ENDPOINT)), ExitCode.UNREACHABLE, "HTTP 302");
                assertEquals(List.of(), elsewhere.log().requests());
            }
        }
    }

    @Nested
    class Filesystem {
        @Test
        void aKilledRunsTempFilesAreSweptAndReported() throws IOException {
            String motd = goodFirstRun();
            Path stale = Files.writeString(root.resolve("etc/.motd.bootsecrets-0123456789abcdef"), "half");
            Path lookalike = Files.writeString(root.resolve("etc/.motd.bootsecrets-keep"), "not ours");

            Agent.Run run = run();

            assertEquals(0, run.exit(), run.all());
            assertFalse(Files.exists(stale));
            assertTrue(Files.exists(lookalike));
            assertEquals(motd, Files.readString(root.resolve("etc/motd")));
            String status = Files.readString(root.resolve("run/bootsecrets/status.json"));
            assertTrue(status.contains("/etc/.motd.bootsecrets-0123456789abcdef") && status.contains("stale temporary file"),
                    status);
        }

        @Test
        void aRunKilledWhileItRecordedLeavesNoTempFilesAfterTheNext() throws IOException {
            goodFirstRun();
            // A run is as likely to die writing its manifests or status file as its outputs.
            List<Path> stale = List.of(
                    Files.writeString(root.resolve("var/lib/bootsecrets/.manifest.json.bootsecrets-0123456789abcdef"), "{"),
                    Files.writeString(root.resolve("run/bootsecrets/.manifest.json.bootsecrets-0123456789abcdef"), "{"),
                    Files.writeString(root.resolve("run/bootsecrets/.status.json.bootsecrets-fedcba9876543210"), "{"));

            Agent.Run run = run();

            assertEquals(0, run.exit(), run.all());
            for (Path p : stale) {
                assertFalse(Files.exists(p), p.toString());
            }
        }

        @Test
        void aDirectoryWhereAFileGoes() throws IOException {
            Files.createDirectories(root.resolve("etc/motd"));
            Agent.Run run = run();
            assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
            assertTrue(run.err().contains("/etc/motd"), run.err());
            assertTrue(Files.isDirectory(root.resolve("etc/motd")));
            assertTrue(Files.exists(root.resolve("etc/myapp/config.env")), "the other outputs are written");
        }

        @Test
        void aFifoWhereAFileGoesDoesNotBlock() throws Exception {
            assertEquals(0, new ProcessBuilder("mkfifo", root.resolve("etc/motd").toString()).start().waitFor());
            Agent.Run run = run();
            assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
            assertTrue(run.err().contains("/etc/motd"), run.err());
        }

        @Test
        void aPlantedSymlinkAtDotSsh() throws IOException {
            Path home = root.resolve("var/home/core");
            Path target = Files.createDirectories(dir.resolve("elsewhere"));
            Files.createDirectories(home);
            Files.createSymbolicLink(home.resolve(".ssh"), target);
            Files.setAttribute(home.resolve(".ssh"), "unix:uid", 1000, java.nio.file.LinkOption.NOFOLLOW_LINKS);

            Agent.Run run = run();

            assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
            assertTrue(run.err().contains("/.ssh"), run.err());
            try (var listed = Files.list(target)) {
                assertEquals(0, listed.count(), "nothing written through the link");
            }
        }

        @Test
        void aPlantedSymlinkAtAuthorizedKeys() throws IOException {
            Path shadow = Files.writeString(root.resolve("etc/shadow"), "root:$6$secret-hash:19000::::::\n");
            // As core would plant it: core's own .ssh, core's own link.
            Path ssh = Files.createDirectories(root.resolve("var/home/core/.ssh"));
            Files.setAttribute(ssh, "unix:uid", 1000);
            Files.setAttribute(ssh, "unix:gid", 1000);
            Files.createSymbolicLink(ssh.resolve("authorized_keys"), shadow);
            Files.setAttribute(ssh.resolve("authorized_keys"), "unix:uid", 1000, java.nio.file.LinkOption.NOFOLLOW_LINKS);

            Agent.Run run = run();

            assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
            assertTrue(run.err().contains("/var/home/core/.ssh/authorized_keys"), run.err());
            assertEquals("root:$6$secret-hash:19000::::::\n", Files.readString(shadow));
            assertTrue(Files.isSymbolicLink(ssh.resolve("authorized_keys")), "the link is left for the admin to see");
        }

        /** A user's link as the parent of a file output, in a directory every user may write. */
        @Test
        void aPlantedSymlinkAtAParent() throws IOException {
            Path tmp = Files.createDirectories(root.resolve("var/tmp"));
            Files.setAttribute(tmp, "unix:mode", 01777);
            Path etc = root.resolve("etc");
            Files.createSymbolicLink(tmp.resolve("app"), etc);
            Files.setAttribute(tmp.resolve("app"), "unix:uid", 1000, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            serveUserData("#cloud-config\nwrite_files:\n  - {path: /var/tmp/app/cron.d/job, content: \"* * * * * root id\\n\"}\n"
                    .getBytes(StandardCharsets.UTF_8));

            Agent.Run run = run();

            assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
            assertTrue(run.err().contains("/var/tmp/app"), run.err());
            assertFalse(Files.exists(etc.resolve("cron.d")), "nothing created through the link");
        }

        /** Runs {@code command}, which must succeed (mount, chattr). */
        void sh(String... command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }

        /** A fault on the filesystem under /etc/myapp: that output fails, named, the others are written, no temp is left. */
        void myappFails(Path myapp) throws Exception {
            Agent.Run run = run();
            assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
            assertTrue(run.err().contains("/etc/myapp/config.env"), run.err());
            assertTrue(Files.readString(root.resolve("etc/motd")).startsWith("Welcome"));
            try (var listed = Files.list(myapp)) {
                assertTrue(listed.noneMatch(p -> p.getFileName().toString().contains(".bootsecrets-")));
            }
        }

        /** /etc/myapp on a 16 KiB tmpfs mounted with {@code options}, filled first when {@code full}. */
        void onSmallTmpfs(String options, boolean full) throws Exception {
            Path myapp = Files.createDirectories(root.resolve("etc/myapp"));
            sh("mount", "-t", "tmpfs", "-o", options + ",size=16k,mode=0755", "tmpfs", myapp.toString());
            try {
                if (full) {
                    try {
                        Files.write(myapp.resolve("filler"), new byte[16 << 10]);
                    } catch (IOException e) {
                        // full, as intended
                    }
                }
                myappFails(myapp);
            } finally {
                sh("umount", myapp.toString());
            }
        }

        @Test
        void noSpaceLeftOnASmallTmpfs() throws Exception {
            onSmallTmpfs("rw", true);
        }

        @Test
        void aReadOnlyTarget() throws Exception {
            onSmallTmpfs("ro", false);
        }

        @Test
        void anImmutableFileIsReportedAndKept() throws Exception {
            Path motd = Files.writeString(root.resolve("etc/motd"), "the admin's own\n");
            sh("chattr", "+i", motd.toString());
            try {
                Agent.Run run = run();
                assertEquals(ExitCode.PARTIAL, run.exit(), run.all());
                assertTrue(run.err().contains("/etc/motd"), run.err());
                assertEquals("the admin's own\n", Files.readString(motd));
                assertTrue(Files.exists(root.resolve("etc/myapp/config.env")), "the other outputs are written");
            } finally {
                sh("chattr", "-i", motd.toString());
            }
        }

        /** SIGKILL mid-apply, again and again: every file is whole (old or new), and the next run leaves no temp behind. */
        @Test
        void killedMidApplyInALoop() throws Exception {
            StringBuilder yaml = new StringBuilder("#cloud-config\nwrite_files:\n");
            for (int i = 0; i < 200; i++) {
                yaml.append("  - {path: /etc/many/f").append(i).append(", content: \"").append("v2-").append(i).append("\"}\n");
            }
            Files.createDirectories(root.resolve("etc/many"));
            for (int i = 0; i < 200; i++) {
                Files.writeString(root.resolve("etc/many/f" + i), "v1-" + i);
            }
            serveUserData(yaml.toString().getBytes(StandardCharsets.UTF_8));
            String java = ProcessHandle.current().info().command().orElseThrow();
            for (int round = 0; round < 8; round++) {
                Process agent = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                        System.getProperty("java.class.path"), Main.class.getName(), "run", "--root", root.toString(),
                        "--provider", "aws", "--metadata-url", emulator().url().toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                Thread.sleep(400 + 150L * round);
                agent.destroyForcibly().waitFor();
                for (int i = 0; i < 200; i++) {
                    String content = Files.readString(root.resolve("etc/many/f" + i));
                    assertTrue(content.equals("v1-" + i) || content.equals("v2-" + i), "f" + i + " is " + content);
                }
            }
            assertEquals(0, run().exit());
            for (int i = 0; i < 200; i++) {
                assertEquals("v2-" + i, Files.readString(root.resolve("etc/many/f" + i)));
            }
            assertTrue(Agent.files(root).stream().noneMatch(p -> p.contains(".bootsecrets-")), "temp files left");
        }

        @Test
        void twoConcurrentRunsBothComplete() throws Exception {
            var first = CompletableFuture.supplyAsync(FaultMatrixTest.this::run);
            var second = CompletableFuture.supplyAsync(FaultMatrixTest.this::run);
            assertEquals(0, first.get().exit(), first.get().all());
            assertEquals(0, second.get().exit(), second.get().all());
            assertTrue(Files.readString(root.resolve("etc/motd")).startsWith("Welcome"));
        }
    }

    /** Bad user-data: {@code check --root} and {@code run --root} refuse it alike, naming the field, writing nothing. */
    @Nested
    class BadInput {
        void refusedByCheckAndRun(byte[] userData, String named) throws IOException {
            String motd = goodFirstRun();
            List<String> before = Agent.files(root);
            Path file = Files.write(dir.resolve("user-data"), userData);

            Agent.Run check = assertTimeoutPreemptively(SLACK,
                    () -> Agent.main("check", "--root", root.toString(), "--user-data", file.toString()));
            serveUserData(userData);
            Agent.Run run = run();

            assertEquals(ExitCode.INVALID, check.exit(), check.all());
            assertEquals(ExitCode.INVALID, run.exit(), run.all());
            assertTrue(check.out().contains(named), check.all());
            assertTrue(run.err().contains(named), run.err());
            assertNothingWrittenAndEarlierKept(before, motd);
        }

        void refusedByCheckAndRun(String userData, String named) throws IOException {
            refusedByCheckAndRun(userData.getBytes(StandardCharsets.UTF_8), named);
        }

        @Test
        void aliasBomb() throws IOException {
            StringBuilder yaml = new StringBuilder("#cloud-config\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
            for (int i = 1; i < 12; i++) {
                yaml.append("a").append(i).append(": &a").append(i).append(" [");
                yaml.append(("*a" + (i - 1) + ", ").repeat(9)).append("*a").append(i - 1).append("]\n");
            }
            refusedByCheckAndRun(yaml.toString(), "aliases");
        }

        @Test
        void deepNesting() throws IOException {
            refusedByCheckAndRun("#cloud-config\nx: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n", "nested deeper");
        }

        @Test
        void gzipBomb() throws IOException {
            var bytes = new ByteArrayOutputStream();
            try (var gzip = new GZIPOutputStream(bytes)) {
                gzip.write("#cloud-config\n".getBytes(StandardCharsets.UTF_8));
                byte[] zeros = new byte[1 << 20];
                for (int i = 0; i < 200; i++) {
                    gzip.write(zeros);
                }
            }
            refusedByCheckAndRun(bytes.toByteArray(), "user-data");
        }

        @Test
        void traversal() throws IOException {
            refusedByCheckAndRun("#cloud-config\nwrite_files:\n  - {path: /etc/../root/.bashrc, content: x}\n", "write_files[0]");
        }

        @Test
        void setuidMode() throws IOException {
            refusedByCheckAndRun("#cloud-config\nwrite_files:\n  - {path: /etc/tool, content: x, permissions: \"4755\"}\n",
                    "write_files[0]");
        }

        @Test
        void unknownOwnerInTheRootsPasswd() throws IOException {
            refusedByCheckAndRun("#cloud-config\nwrite_files:\n  - {path: /etc/x, content: x, owner: \"nobody-here:nobody-here\"}\n",
                    "nobody-here");
        }

        @Test
        void foreignYamlTag() throws IOException {
            refusedByCheckAndRun("#cloud-config\nx: !!python/object:os.system [id]\n", "user-data: line 2, column 4: ");
        }

        @Test
        void invalidUtf8() throws IOException {
            byte[] head = "#cloud-config\nwrite_files:\n  - {path: /etc/x, content: \"".getBytes(StandardCharsets.UTF_8);
            byte[] data = new byte[head.length + 6];
            System.arraycopy(head, 0, data, 0, head.length);
            byte[] tail = {(byte) 0xff, (byte) 0xfe, (byte) 0xc3, 0x28, '"', '}'};
            System.arraycopy(tail, 0, data, head.length, tail.length);
            refusedByCheckAndRun(data, "line 3, column 30: not valid UTF-8");
        }

        @Test
        void nulInAnEnvValue() throws IOException {
            refusedByCheckAndRun("#cloud-config\nbootsecrets:\n  env:\n    app: {MODE: \"a\\0b\"}\n", "env");
        }

        /** Within one kind a later entry replaces an earlier one (as cloud-init writes them); across kinds it is an error. */
        @Test
        void duplicatePaths() throws IOException {
            refusedByCheckAndRun("""
                    #cloud-config
                    write_files:
                      - {path: /run/credstore/db, content: a}
                    bootsecrets:
                      secrets: {s: {value: "b"}}
                      credentials: {db: {secret: s}}
                    """, "/run/credstore/db");
        }

        @Test
        void overLongPath() throws IOException {
            refusedByCheckAndRun("#cloud-config\nwrite_files:\n  - {path: /etc/" + "a".repeat(5000) + ", content: x}\n",
                    "write_files[0]");
        }

        /** Thousands of MIME parts: refused by count, before any of them is read further. */
        @Test
        void thousandsOfMimeParts() throws IOException {
            StringBuilder mime = new StringBuilder("Content-Type: multipart/mixed; boundary=\"b\"\nMIME-Version: 1.0\n\n");
            for (int i = 0; i < 5000; i++) {
                mime.append("--b\nContent-Type: text/x-shellscript\n\n#!/bin/sh\necho ").append(i).append("\n");
            }
            mime.append("--b\nContent-Type: text/cloud-config\n\n#cloud-config\nwrite_files:\n  - {path: /etc/last-part, content: \"5001\\n\"}\n");
            mime.append("--b--\n");
            refusedByCheckAndRun(mime.toString(), "more than 100 MIME parts");
            assertFalse(Files.exists(root.resolve("etc/last-part")));
        }

        @Test
        void keyOptionInjectionStaysOneLine() throws IOException {
            serveUserData(("#cloud-config\nssh_authorized_keys:\n  - \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKnnIGjUHH61gxCGDLPSoiMJknIy4ZZZ0ngsIJmnfvmm a\\n"
                    + "command=\\\"sh\\\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKnnIGjUHH61gxCGDLPSoiMJknIy4ZZZ0ngsIJmnfvmm evil\"\n")
                    .getBytes(StandardCharsets.UTF_8));
            Agent.Run run = run();
            Path keys = root.resolve("var/home/core/.ssh/authorized_keys");
            assertFalse(Files.exists(keys) && Files.readString(keys).contains("command="), run.all());
        }
    }
}
