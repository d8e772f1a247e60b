package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.testing.Tool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where cloud-init and bootsecrets both act (write_files, ssh_authorized_keys,
 * users[].ssh_authorized_keys, NoCloud's public-keys), they write the same: cloud-init 22.4
 * (Debian's package, chrooted into the root, as bench/run runs it, from a NoCloud seed) and the
 * agent each get a copy of the same root and the same seed, and the files, key sets, owners and
 * modes they leave are compared.
 *
 * <p>Differences by design, not compared or asserted as such:
 * <ul>
 * <li>accounts: bootsecrets creates none, so every user the examples name already exists in the root
 *     (cloud-init would create them: useradd, groups, sudo rules, password locks);
 * <li>files outside /etc, /run and /var, where they really land (and outside userData.writePaths):
 *     refused whole by the agent, written by cloud-init; on a bootc root /home is /var/home, so
 *     cloud-config-ansible-controller.txt's /home/ansible/.ssh files are written by both;
 * <li>root's keys: cloud-init (disable_root) writes the default user's keys to root's authorized_keys
 *     behind a command that refuses the login; the agent leaves root alone unless asked;
 * <li>what only cloud-init does: SSH host keys (ssh_keys), its own state (/var/lib/cloud, /run/cloud-init);
 * <li>base64 that is cut short: cloud-init skips what is not base64 and writes the rest, the agent
 *     refuses the document (cloud-config-write-files.txt as shipped);
 * <li>authorized_keys are compared as their set of key lines: the agent keeps its keys inside a block
 *     between comment lines, and drops a key given twice.
 * </ul>
 */
class CloudInitParityTest {
    /** The image's users besides the sandbox's: the accounts the examples give keys or files to. */
    private static final Map<String, Integer> USERS = Map.of("ansible", 1002, "barfoo", 1003, "fizzbuzz", 1004,
            "foobar", 1005, "cloudy", 1006, "nosshlogins", 1007);

    private static final String CLOUD_CFG = """
            datasource_list: [NoCloud]
            network: {config: disabled}
            users: [default]
            disable_root: true
            ssh_deletekeys: false
            ssh_genkeytypes: []
            system_info:
              distro: debian
              default_user: {name: core, lock_passwd: false}
              paths: {cloud_dir: /var/lib/cloud/, templates_dir: /etc/cloud/templates/}
            cloud_init_modules: [write_files, users_groups, ssh, write_files_deferred]
            cloud_config_modules: []
            cloud_final_modules: []
            """;

    /**
     * One example as both meet it.
     *
     * @param compared the paths whose state is compared: ~/.ssh and its authorized_keys of each
     *                 user with keys, each write_files path and the directories made for it
     */
    record Case(String name, byte[] userData, byte[] metaData, List<String> compared) {}

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> bothWriteTheSameWhereBothAct() throws IOException {
        CloudInitPackage.require();
        requireRoot();
        List<Case> cases = List.of(
                keys("cloud-config-ssh-keys.txt", "core"),
                keys("cloud-config.txt", "core"),
                keys("cloud-config-ansible-managed.txt", "ansible"),
                keys("cloud-config-user-groups.txt", "barfoo", "fizzbuzz"),
                new Case("seed/", CloudInitPackage.example("seed/user-data"), CloudInitPackage.example("seed/meta-data"),
                        sshPaths("core")),
                new Case("cloud-config-ansible-controller.txt", CloudInitPackage.example("cloud-config-ansible-controller.txt"),
                        metaData(), List.of("/var/home/ansible/.ssh/known_hosts", "/var/home/ansible/.ssh/id_rsa")),
                new Case("cloud-config-write-files.txt (repaired)", repairedWriteFiles(), metaData(), List.of(
                        "/etc/sysconfig", "/etc/sysconfig/selinux", "/etc/sysconfig/samba",
                        "/var/lib/example", "/var/lib/example/arch", "/var/lib/example/hello")));
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> compare(c)));
    }

    /**
     * Differences by design, where the agent refuses the document whole and cloud-init writes
     * (each cloud-init output must match the pattern): contents cut short (cloud-config-write-files.txt
     * as shipped: "..." after a base64 text, a "...." line in a !!binary), where cloud-init's
     * base64 decoding skips the dots and writes what is left, 42 bytes of the first file; a jinja
     * template, which cloud-init renders and the agent ignores; a path with "..", and an encoding
     * cloud-init does not know (it writes the content as plain text).
     */
    @TestFactory
    Stream<DynamicTest> whereTheAgentRefusesOnlyCloudInitWrites() throws IOException {
        CloudInitPackage.require();
        requireRoot();
        record OnlyCloudInit(Case example, String writes) {}
        List<OnlyCloudInit> cases = List.of(
                new OnlyCloudInit(new Case("cloud-config-write-files.txt", CloudInitPackage.example("cloud-config-write-files.txt"),
                        metaData(), List.of("/etc/sysconfig/selinux", "/etc/sysconfig/samba")),
                        "/etc/sysconfig/(selinux 0:0 rw-r--r-- [0-9a-f]{84}|samba 0:0 rw-r--r-- [0-9a-f]+)"),
                // a jinja template: cloud-init renders it ("i-parity"), the agent ignores it with a warning
                new OnlyCloudInit(new Case("## template: jinja", bytes("## template: jinja\n#cloud-config\n"
                        + "write_files: [{path: /etc/jinja, content: \"{{ v1.instance_id }}\"}]\n"), metaData(), List.of("/etc/jinja")),
                        "/etc/jinja 0:0 rw-r--r-- " + HexFormat.of().formatHex(bytes("i-parity"))),
                // a path with "..", an encoding cloud-init does not know (it writes the text as it is): refused by the agent
                new OnlyCloudInit(new Case("path with ..", bytes("#cloud-config\nwrite_files: [{path: /etc/../etc/dd, content: x}]\n"),
                        metaData(), List.of("/etc/dd")), "/etc/dd 0:0 rw-r--r-- 78"),
                new OnlyCloudInit(new Case("unknown encoding", bytes("#cloud-config\nwrite_files: [{path: /etc/enc, content: x, encoding: text/x-weird}]\n"),
                        metaData(), List.of("/etc/enc")), "/etc/enc 0:0 rw-r--r-- 78"));
        return cases.stream().map(only -> DynamicTest.dynamicTest(only.example().name(), () -> {
            Case c = only.example();
            List<String> byCloudInit = seen(cloudInit(c), c.compared());
            assertTrue(byCloudInit.stream().allMatch(seen -> seen.matches(only.writes())), byCloudInit.toString());
            assertEquals(c.compared().stream().map(p -> p + " missing").toList(), seen(agent(c), c.compared()));
        }));
    }

    private static final String ALICE = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAjwSMX2CupKpFqoricWUTInmwu/8f1mQDXysTyzuFle alice";
    private static final String BOB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAuCMelm7DmNmGAN5My0rT6pYFqmwb1kSiePl7pdehB5 bob";

    /** The forms cloud-init's docs give for the keys bootsecrets reads, and the ways user-data comes. */
    @TestFactory
    Stream<DynamicTest> documentedFormsMeanTheSame() throws IOException {
        CloudInitPackage.require();
        requireRoot();
        String writeFiles = """
                #cloud-config
                x-defaults: &shared {owner: "foobar:cloudy", permissions: '0640'}
                write_files:
                  - {path: /etc/p-int, content: "a\\n", permissions: 0600}
                  - {path: /etc/p-str, content: "b\\n", permissions: '0604'}
                  - {path: /etc/owner-user, content: "c\\n", owner: foobar}
                  - {path: /etc/owner-both, content: "d\\n", owner: "foobar:cloudy"}
                  - {path: /etc/empty}
                  - {path: /etc/b64, encoding: base64, content: aGVsbG8K}
                  - {path: /etc/gzb64, encoding: gzip+base64, content: %s}
                  - {path: /etc/appended, content: "one\\n"}
                  - {path: /etc/appended, content: "two\\n", append: true}
                  - {path: /etc/deferred, content: "later\\n", defer: true}
                  - <<: *shared
                    path: /etc/merged
                    content: "m\\n"
                """.formatted(java.util.Base64.getEncoder().encodeToString(gzip("hi\n".getBytes(StandardCharsets.UTF_8))));
        List<String> written = List.of("/etc/p-int", "/etc/p-str", "/etc/owner-user", "/etc/owner-both", "/etc/empty",
                "/etc/b64", "/etc/gzb64", "/etc/appended", "/etc/deferred", "/etc/merged");
        String users = """
                #cloud-config
                ssh_authorized_keys: ["%s"]
                users:
                  - default
                  - {name: barfoo, ssh_authorized_keys: ['command="echo hi",no-pty %s']}
                  - {name: fizzbuzz, ssh_authorized_keys: "%s"}
                """.formatted(ALICE, ALICE, BOB);
        String mime = """
                Content-Type: multipart/mixed; boundary="==b=="
                MIME-Version: 1.0

                --==b==
                Content-Type: text/cloud-config; charset="us-ascii"

                #cloud-config
                write_files: [{path: /etc/from-mime, content: "m\\n"}]

                --==b==
                Content-Type: text/x-shellscript; charset="us-ascii"

                #!/bin/sh
                touch /etc/script-ran

                --==b==--
                """;
        List<Case> cases = List.of(
                new Case("write_files forms", bytes(writeFiles), metaData(), written),
                new Case("users forms", bytes(users), metaData(), Stream.of("core", "barfoo", "fizzbuzz")
                        .flatMap(u -> sshPaths(u).stream()).toList()),
                new Case("users: {name: default}", bytes("#cloud-config\nusers: [{name: default, ssh_authorized_keys: [\"" + BOB + "\"]}]\n"),
                        metaData(), sshPaths("core")),
                new Case("users entry without a name", bytes("#cloud-config\nusers: [{ssh_authorized_keys: [\"" + BOB + "\"]}]\n"),
                        metaData(), sshPaths("core")),
                new Case("users as a mapping", bytes("#cloud-config\nusers: {barfoo: {ssh_authorized_keys: [\"" + BOB + "\"]}}\n"),
                        metaData(), sshPaths("barfoo")),
                new Case("CRLF line ends", bytes("#cloud-config\r\nwrite_files:\r\n  - {path: /etc/crlf, content: x}\r\n"),
                        metaData(), List.of("/etc/crlf")),
                new Case("MIME multipart", bytes(mime.replace("\n", "\r\n")), metaData(), List.of("/etc/from-mime")),
                new Case("gzip user-data", gzip(bytes("#cloud-config\nwrite_files: [{path: /etc/gz, content: z}]\n")),
                        metaData(), List.of("/etc/gz")),
                new Case("keys with comment and blank lines", bytes("#cloud-config\nssh_authorized_keys: ['# a comment', '', '" + BOB + "']\n"), metaData(), sshPaths("core")),
                new Case("cloud-config-archive", bytes("#cloud-config-archive\n- type: text/cloud-config\n  content: |\n    #cloud-config\n    write_files: [{path: /etc/archived, content: a}]\n"),
                        metaData(), List.of("/etc/archived")));
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> compare(c)));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private void compare(Case c) throws IOException, InterruptedException {
        List<String> byCloudInit = seen(cloudInit(c), c.compared());
        List<String> byAgent = seen(agent(c), c.compared());
        assertTrue(byCloudInit.stream().noneMatch(s -> s.endsWith(" missing")), "cloud-init did not write them all: " + byCloudInit);
        assertEquals(byCloudInit, byAgent);
    }

    private static Case keys(String example, String... users) throws IOException {
        List<String> paths = new ArrayList<>();
        for (String user : users) {
            paths.addAll(sshPaths(user));
        }
        return new Case(example, CloudInitPackage.example(example), metaData(), paths);
    }

    private static List<String> sshPaths(String user) {
        return List.of("/var/home/" + user + "/.ssh", "/var/home/" + user + "/.ssh/authorized_keys");
    }

    private static byte[] metaData() {
        return "instance-id: i-parity\n".getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The write_files example with what cuts it short taken out ("..." after a base64 text, a
     * "...." line in a !!binary), and its two files outside /etc, /run and /var moved under /var,
     * where the agent writes. Each entry keeps its encoding, owner and permissions.
     */
    private static byte[] repairedWriteFiles() throws IOException {
        String text = new String(CloudInitPackage.example("cloud-config-write-files.txt"), StandardCharsets.UTF_8);
        String repaired = text;
        for (String[] edit : new String[][] {
                {"bnV4...\n", "bnV4\n"}, {"    ....\n", ""}, {"path: /bin/arch", "path: /var/lib/example/arch"},
                {"path: /usr/bin/hello", "path: /var/lib/example/hello"}}) {
            String before = repaired;
            repaired = repaired.replace(edit[0], edit[1]);
            assertNotEquals(before, repaired, "the example no longer has " + edit[0].strip());
        }
        return repaired.getBytes(StandardCharsets.UTF_8);
    }

    // --- the two runs, each on its own copy of the same root

    /** The root both start from: the sandbox's users and the examples' ones, and what a chroot needs. */
    private Path root(String name) throws IOException {
        Path root = Agent.sandbox(Files.createTempDirectory(dir, name + "-"));
        StringBuilder passwd = new StringBuilder();
        StringBuilder group = new StringBuilder();
        StringBuilder shadow = new StringBuilder();
        for (String user : Files.readAllLines(root.resolve("etc/passwd"))) {
            shadow.append(user, 0, user.indexOf(':')).append(":*:19000:0:99999:7:::\n");
        }
        for (var user : USERS.entrySet()) {
            passwd.append(user.getKey()).append(":x:").append(user.getValue()).append(':').append(user.getValue())
                    .append("::/var/home/").append(user.getKey()).append(":/bin/bash\n");
            group.append(user.getKey()).append(":x:").append(user.getValue()).append(":\n");
            shadow.append(user.getKey()).append(":*:19000:0:99999:7:::\n");
            Path home = Files.createDirectories(root.resolve("var/home/" + user.getKey()));
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
            Files.setAttribute(home, "unix:uid", user.getValue());
            Files.setAttribute(home, "unix:gid", user.getValue());
        }
        Files.writeString(root.resolve("etc/passwd"), passwd, java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(root.resolve("etc/group"), group, java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(root.resolve("etc/shadow"), shadow);
        Files.setPosixFilePermissions(root.resolve("etc/shadow"), PosixFilePermissions.fromString("rw-r-----"));
        for (String d : List.of("usr", "proc", "dev", "run", "tmp", "opt/cloud-init", "var/lib/cloud", "etc/cloud")) {
            Files.createDirectories(root.resolve(d));
            Files.setPosixFilePermissions(root.resolve(d), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        for (String[] link : new String[][] {{"bin", "usr/bin"}, {"sbin", "usr/sbin"}, {"lib", "usr/lib"}, {"lib64", "usr/lib64"}}) {
            Files.createSymbolicLink(root.resolve(link[0]), Path.of(link[1]));
        }
        return root;
    }

    private Path agent(Case c) throws IOException {
        Path root = root("agent");
        Path seed = Files.createDirectories(root.resolve("var/lib/bootsecrets/seed"));
        Files.write(seed.resolve("meta-data"), c.metaData());
        Files.write(seed.resolve("user-data"), c.userData());
        Agent.main("run", "--root", root.toString(), "--provider", "nocloud"); // what it wrote is the result
        return root;
    }

    private Path cloudInit(Case c) throws IOException, InterruptedException {
        Path root = root("cloud-init");
        Files.writeString(root.resolve("etc/cloud/cloud.cfg"), CLOUD_CFG);
        Path seed = Files.createDirectories(root.resolve("var/lib/cloud/seed/nocloud"));
        Files.write(seed.resolve("meta-data"), c.metaData());
        Files.write(seed.resolve("user-data"), c.userData());
        // Its own mount namespace: the host's /usr (python3 and the Debian packages cloud-init
        // needs) and the unpacked cloudinit package, read-only, gone when it exits. The umask a
        // boot gives it, not the 077 an in-process agent run leaves this JVM with.
        String script = "umask 022 && mount --bind -o ro /usr '" + root + "/usr' && mount --bind /proc '" + root + "/proc'"
                + " && mount --bind /dev '" + root + "/dev' && mount --bind -o ro '" + CloudInitPackage.PYTHON + "' '"
                + root + "/opt/cloud-init' && exec chroot '" + root + "' /usr/bin/python3 -m cloudinit.cmd.main init";
        Tool.Result result = Tool.run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script),
                Map.of("PYTHONPATH", "/opt/cloud-init", "PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), new byte[0]);
        // Exit 1 is a module that failed, such as creating a snap user (no snap here); the others
        // ran, and the stage finished if cloud-init recorded its end (an example may send its log elsewhere).
        Path status = root.resolve("var/lib/cloud/data/status.json");
        assertTrue(result.exit() <= 1 && Files.exists(status)
                && new ObjectMapper().readTree(status.toFile()).path("v1").path("init").path("finished").isNumber(),
                "cloud-init init: " + result);
        return root;
    }

    // --- what each left

    /** "PATH UID:GID MODE CONTENT" for each path, or "PATH missing". */
    private static List<String> seen(Path root, List<String> paths) throws IOException {
        List<String> out = new ArrayList<>();
        for (String path : paths) {
            Path p = root.resolve(path.substring(1));
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                out.add(path + " missing");
                continue;
            }
            String content;
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                content = "directory";
            } else if (p.getFileName().toString().equals("authorized_keys")) {
                content = Files.readAllLines(p).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).distinct().sorted().toList().toString();
            } else {
                content = HexFormat.of().formatHex(Files.readAllBytes(p));
            }
            out.add(path + " " + Agent.owner(p) + " " + Agent.mode(p) + " " + content);
        }
        return out;
    }

    private static void requireRoot() {
        if ("root".equals(System.getProperty("user.name"))) {
            return;
        }
        String why = "running cloud-init chrooted needs root (mount namespaces, chroot, chown)";
        if ("true".equals(System.getenv("CI"))) {
            fail(why);
        }
        assumeTrue(false, why);
    }
}
