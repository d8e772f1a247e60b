package dev.bootsecrets.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What the RPM and the bootc image ship besides the agent: the systemd units, tmpfiles and
 * preset (checked with systemd's own tools), the Containerfile, and the native-image
 * metadata (checked against the libraries on the class path).
 */
class PackagingTest {
    static final Path ROOT = repositoryRoot();
    static final Path SYSTEMD = ROOT.resolve("systemd");
    static final Path METADATA = ROOT.resolve("agent/src/main/resources/META-INF/native-image/dev.bootsecrets/agent");
    static final List<String> UNITS =
            List.of("bootsecrets.service", "bootsecrets-podman-sync.service", "bootsecrets-refresh.service",
                    "bootsecrets-refresh.timer");

    @TempDir
    Path tmp;

    // ---- systemd -------------------------------------------------------------------------

    @Test
    void unitsPassSystemdAnalyzeVerify() throws Exception {
        Path root = rootWithUnits(true);
        Run verify = verify(root);
        assertEquals(0, verify.status(), verify.output());
        // verify exits 0 on unknown keys and bad values too; it must have nothing to say.
        assertEquals("", verify.output().strip());
    }

    @Test
    void verifyNoticesWhenTheAgentIsNotInstalled() throws Exception {
        Path root = rootWithUnits(false);
        Run verify = verify(root);
        assertNotEquals(0, verify.status());
        assertTrue(verify.output().contains("/usr/bin/bootsecrets"), verify.output());
    }

    @Test
    void bootUnitExposureStaysLow() throws Exception {
        Run security = run("systemd-analyze", "security", "--offline=yes", "--no-pager",
                SYSTEMD.resolve("bootsecrets.service").toString());
        Matcher score = Pattern.compile("Overall exposure level for bootsecrets.service: (\\d+\\.\\d+)")
                .matcher(security.output());
        assertTrue(score.find(), security.output());
        // 4.0 at the time of writing: systemd cannot see the agent's own Landlock confinement,
        // which covers what ProtectSystem= and the other mount settings did (docs/packaging.md).
        // Dropping a sandbox setting shows here.
        double exposure = Double.parseDouble(score.group(1));
        assertTrue(exposure <= 4.0, "exposure " + exposure + " above 4.0:\n" + security.output());
    }

    @Test
    void bootUnitLetsTheAgentConfineItself() throws IOException {
        Map<String, List<String>> service = section(SYSTEMD.resolve("bootsecrets.service"), "Service");
        // An allow-list filter that left these out would make the agent's Landlock calls fail
        // with EPERM, and its writes unconfined.
        List<String> allowed = List.of(service.get("SystemCallFilter").get(0).split(" "));
        assertTrue(allowed.containsAll(List.of("@system-service", "landlock_create_ruleset", "landlock_add_rule",
                "landlock_restrict_self")), allowed.toString());
        // No mount namespace: each of these costs milliseconds of the boot, and Landlock covers them.
        for (String setting : List.of("ProtectSystem", "ReadWritePaths", "PrivateTmp", "ProtectKernelTunables",
                "ProtectControlGroups", "ProtectProc", "PrivateMounts", "PrivateIPC")) {
            assertFalse(service.containsKey(setting), setting);
        }
    }

    @Test
    void bootUnitRunsOnceBeforeWhatNeedsItsOutputs() throws IOException {
        Map<String, List<String>> unit = section(SYSTEMD.resolve("bootsecrets.service"), "Unit");
        Map<String, List<String>> service = section(SYSTEMD.resolve("bootsecrets.service"), "Service");
        assertEquals(List.of("oneshot"), service.get("Type"));
        assertEquals(List.of("yes"), service.get("RemainAfterExit"));
        assertEquals(List.of("/usr/bin/bootsecrets run"), service.get("ExecStart"));
        // podman's secrets are registered by a unit of its own, which sshd does not wait for (PodmanSyncUnitTest)
        assertFalse(service.containsKey("ExecStartPost"));
        assertTrue(unit.get("Wants").contains("network-online.target"));
        assertTrue(unit.get("After").contains("network-online.target"));
        assertEquals(List.of("sshd.service", "ssh.service", "bootc-fetch-apply-updates.service",
                "podman-auto-update.service"), unit.get("Before"));
        // The JVM build compiles code at run time.
        assertFalse(service.containsKey("MemoryDenyWriteExecute"));
    }

    @Test
    void refreshRunsTheSameCommandInTheSameSandbox() throws IOException {
        Map<String, List<String>> boot = section(SYSTEMD.resolve("bootsecrets.service"), "Service");
        Map<String, List<String>> refresh = section(SYSTEMD.resolve("bootsecrets-refresh.service"), "Service");
        // Only the boot unit stays active after its run; a timer cannot restart an active unit.
        assertEquals(List.of("yes"), boot.remove("RemainAfterExit"));
        assertFalse(refresh.containsKey("RemainAfterExit"));
        // The refresh registers podman's secrets after its own run; at boot a unit of its own does.
        assertEquals(1, refresh.remove("ExecStartPost").size());
        Set<String> keys = new TreeSet<>(boot.keySet());
        keys.addAll(refresh.keySet());
        for (String key : keys) {
            assertEquals(boot.get(key), refresh.get(key), key);
        }
    }

    @Test
    void agentDoesItsWorkWithOnlyTheCapabilitiesTheUnitLeavesIt() throws Exception {
        // The unit's bounding set, applied with setpriv to the demo: a full run (users' ~/.ssh,
        // files owned by a service user) into a sandbox root, against the built-in emulator.
        List<String> capabilities = List.of(section(SYSTEMD.resolve("bootsecrets.service"), "Service")
                .get("CapabilityBoundingSet").get(0).split("\\s+"));
        StringBuilder bounding = new StringBuilder("-all");
        for (String capability : capabilities) {
            bounding.append(",+").append(capability.substring("CAP_".length()).toLowerCase(Locale.ROOT));
        }
        List<String> command = new ArrayList<>(List.of("setpriv", "--bounding-set=" + bounding, "--no-new-privs"));
        command.addAll(agent("demo", "--dir", tmp.resolve("demo").toString()));
        Run demo = run(Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString()), command.toArray(String[]::new));
        assertEquals(0, demo.status(), demo.output());
    }

    @Test
    void sampleConfigTheImageBakesInIsValid() throws Exception {
        Run check = run(agent("check", "--config", ROOT.resolve("config/sample/image.yaml").toString(),
                "--root", tmp.toString()).toArray(String[]::new));
        assertEquals(0, check.status(), check.output());
    }

    @Test
    void tmpfilesCreatesTheAgentsDirectoriesOwnedByRoot() throws Exception {
        Run create = run("systemd-tmpfiles", "--root=" + tmp, "--create",
                SYSTEMD.resolve("bootsecrets.tmpfiles.conf").toString());
        assertEquals(0, create.status(), create.output());
        Map<String, String> modes = Map.of(
                "run/bootsecrets", "rwx------",
                "var/lib/bootsecrets", "rwx------",
                "run/credstore", "rwx------",
                "run/credstore.encrypted", "rwx------",
                "etc/bootsecrets/config.d", "rwxr-xr-x");
        for (var expected : modes.entrySet()) {
            Path dir = tmp.resolve(expected.getKey());
            assertTrue(Files.isDirectory(dir), dir + " not created");
            String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(dir));
            assertEquals(expected.getValue(), mode, dir.toString());
            assertEquals(0, Files.getAttribute(dir, "unix:uid"), dir.toString());
            assertEquals(0, Files.getAttribute(dir, "unix:gid"), dir.toString());
        }
    }

    @Test
    void presetEnablesTheBootUnitAndLeavesTheTimerOff() throws Exception {
        Path units = Files.createDirectories(tmp.resolve("usr/lib/systemd/system"));
        for (String unit : UNITS) {
            Files.copy(SYSTEMD.resolve(unit), units.resolve(unit));
        }
        Path presets = Files.createDirectories(tmp.resolve("usr/lib/systemd/system-preset"));
        Files.copy(SYSTEMD.resolve("90-bootsecrets.preset"), presets.resolve("90-bootsecrets.preset"));

        Run preset = run("systemctl", "--root=" + tmp, "preset", "bootsecrets.service", "bootsecrets-refresh.timer");
        assertEquals(0, preset.status(), preset.output());
        Path wants = tmp.resolve("etc/systemd/system/multi-user.target.wants/bootsecrets.service");
        assertTrue(Files.isSymbolicLink(wants), preset.output());
        assertEquals(Path.of("/usr/lib/systemd/system/bootsecrets.service"), Files.readSymbolicLink(wants));
        assertFalse(Files.exists(tmp.resolve("etc/systemd/system/timers.target.wants/bootsecrets-refresh.timer"),
                LinkOption.NOFOLLOW_LINKS));
    }

    // ---- bootc Containerfile -------------------------------------------------------------

    @Test
    void containerfileCopiesOnlyWhatTheTreeAndTheNativeBuildProvide() throws Exception {
        List<String> instructions = containerfile();
        String workdir = null;
        String nativeImage = "agent/target/" + nativeImageName();
        int checked = 0;
        for (String line : instructions) {
            if (line.startsWith("WORKDIR ")) {
                workdir = line.substring("WORKDIR ".length()).strip();
            }
            if (!line.startsWith("COPY ")) {
                continue;
            }
            List<String> words = new ArrayList<>(List.of(line.split("\\s+")));
            words.remove(0);
            String from = words.get(0).startsWith("--from=") ? words.remove(0).substring("--from=".length()) : null;
            for (String source : words.subList(0, words.size() - 1)) {
                if (from == null) {
                    assertTrue(Files.exists(ROOT.resolve(source)), "COPY source " + source + " is not in the tree");
                } else {
                    assertEquals("builder", from);
                    assertTrue(List.of(workdir + "/" + nativeImage, workdir + "/agent/target/lib/jna").contains(source),
                            "the native profile builds " + nativeImage + " and lib/jna/ beside it, not " + source);
                }
                checked++;
            }
        }
        assertTrue(checked >= 8, "COPY instructions found: " + checked);
        assertTrue(instructions.stream().anyMatch(l -> l.startsWith("RUN ") && l.contains("-Pnative package")));
    }

    @Test
    void containerfileEnablesTheShippedUnitsAndEndsWithLint() throws IOException {
        List<String> instructions = containerfile();
        String preset = instructions.stream().filter(l -> l.startsWith("RUN systemctl preset ")).findFirst()
                .orElseThrow(() -> new AssertionError("no RUN systemctl preset"));
        List<String> presetUnits = List.of(preset.substring("RUN systemctl preset ".length()).split("\\s+"));
        assertTrue(presetUnits.contains("bootsecrets.service"), preset);
        String copied = String.join("\n", instructions);
        for (String unit : presetUnits) {
            assertTrue(UNITS.contains(unit), unit);
            assertTrue(copied.contains("systemd/" + unit), unit + " is not copied into the image");
        }
        assertEquals("RUN bootc container lint", instructions.get(instructions.size() - 1));
    }

    @Test
    void rpmSpecBuildsThePomsVersionAndItsOutputs() throws Exception {
        String spec = Files.readString(ROOT.resolve("packaging/rpm/bootsecrets.spec"));
        Matcher version = Pattern.compile("(?m)^Version:\\s*(\\S+)$").matcher(spec);
        assertTrue(version.find());
        assertEquals(pom(ROOT.resolve("pom.xml")).getDocumentElement().getElementsByTagName("version").item(0)
                .getTextContent(), version.group(1));
        for (String output : List.of("agent/target/bootsecrets ", "agent/target/bootsecrets.jar",
                "agent/target/lib/*.jar", "%{native_image}/" + nativeImageName() + " ",
                // JNA's helper, loaded from beside the binary (fs/JnaHelper)
                "agent/target/lib/jna/$platform/libjnidispatch.so", "%{native_image}/lib/jna/%{jna_platform}/libjnidispatch.so",
                // the native image is in agent/target unless built before (native_dir)
                "%global native_image %{?native_dir}%{!?native_dir:agent/target}")) {
            assertTrue(spec.contains(output), "the spec does not install " + output.strip());
        }
        for (String shipped : List.of("systemd/bootsecrets.service", "systemd/bootsecrets-podman-sync.service",
                "systemd/bootsecrets-refresh.service",
                "systemd/bootsecrets-refresh.timer", "systemd/bootsecrets.tmpfiles.conf",
                "systemd/90-bootsecrets.preset", "systemd/container.d/10-bootsecrets.conf", "config/sample/image.yaml",
                "systemd/user/bootsecrets-podman.service",
                "systemd/user/bootsecrets-podman.path", "systemd/user/90-bootsecrets.preset",
                "README.md", "docs/packaging.md",
                "LICENSE")) {
            assertTrue(spec.contains(shipped), "the spec does not ship " + shipped);
            assertTrue(Files.exists(ROOT.resolve(shipped)), shipped);
        }
    }

    // ---- the credential helper's link ----------------------------------------------------

    @Test
    void theRpmAndTheContainerfileInstallTheCredentialHelperAsALinkToTheAgent() throws Exception {
        String spec = Files.readString(ROOT.resolve("packaging/rpm/bootsecrets.spec"));
        assertTrue(spec.contains("ln -sr %{buildroot}%{_libexecdir}/%{name}/bootsecrets %{buildroot}%{_bindir}/docker-credential-bootsecrets"));
        assertTrue(spec.contains("\n%{_bindir}/docker-credential-bootsecrets\n"), "not in %files");
        assertTrue(containerfile().stream().anyMatch(
                l -> l.startsWith("RUN ") && l.contains("ln -s ../libexec/bootsecrets/bootsecrets /usr/bin/docker-credential-bootsecrets")));
    }

    @Test
    void theLauncherCalledByTheHelpersNameRunsTheCredentialHelper() throws Exception {
        Path libexec = Files.createDirectories(tmp.resolve("usr/libexec/bootsecrets"));
        executable(ROOT.resolve("agent/src/main/sh/bootsecrets"), libexec.resolve("bootsecrets"));
        Path bin = Files.createDirectories(tmp.resolve("usr/bin"));
        Files.createSymbolicLink(bin.resolve("docker-credential-bootsecrets"), Path.of("../libexec/bootsecrets/bootsecrets"));
        Files.createSymbolicLink(bin.resolve("bootsecrets"), Path.of("../libexec/bootsecrets/bootsecrets"));
        // a runtime whose java prints what it was asked to run
        Path runtime = Files.createDirectories(tmp.resolve("runtime/bin")).getParent();
        Files.writeString(runtime.resolve("release"), "JAVA_VERSION=\"25\"\n");
        Path echo = tmp.resolve("echo-java");
        Files.writeString(echo, "#!/bin/sh\necho \"$@\"\n");
        executable(echo, runtime.resolve("bin/java"));

        Run helper = run(Map.of("BOOTSECRETS_JAVA", runtime.toString()), bin.resolve("docker-credential-bootsecrets").toString(), "get");
        Run agent = run(Map.of("BOOTSECRETS_JAVA", runtime.toString()), bin.resolve("bootsecrets").toString(), "status");

        assertTrue(helper.output().strip().endsWith("-jar " + libexec.resolve("bootsecrets.jar") + " credential-helper get"),
                helper.output());
        assertTrue(agent.output().strip().endsWith("-jar " + libexec.resolve("bootsecrets.jar") + " status"), agent.output());
    }

    // ---- native-image metadata -----------------------------------------------------------

    @Test
    void nativeImageMetadataNamesMembersThatExist() throws Exception {
        int members = 0;
        for (JsonNode type : json("jni-config.json")) {
            Class<?> owner = type(type.path("name").asText());
            for (JsonNode method : type.path("methods")) {
                List<Class<?>> parameters = new ArrayList<>();
                method.path("parameterTypes").forEach(p -> parameters.add(type(p.asText())));
                Class<?>[] signature = parameters.toArray(Class<?>[]::new);
                String name = method.path("name").asText();
                assertNotNull(name.equals("<init>")
                        ? owner.getDeclaredConstructor(signature)
                        : owner.getDeclaredMethod(name, signature));
                members++;
            }
            for (JsonNode field : type.path("fields")) {
                assertNotNull(owner.getDeclaredField(field.path("name").asText()));
                members++;
            }
        }
        assertTrue(members > 50, "members checked: " + members);
    }

    @Test
    void jniMetadataListsExactlyTheClassesJnasNativeLibraryLooksUp() throws IOException {
        Set<String> named = new TreeSet<>();
        try (InputStream library = resource("com/sun/jna/linux-x86-64/libjnidispatch.so")) {
            for (String s : printableStrings(library.readAllBytes())) {
                if (s.matches("(java|com/sun/jna)/[A-Za-z0-9_/$]+")) {
                    named.add(s.replace('/', '.'));
                }
            }
        }
        // Looked up only when a Java callback throws; the agent passes no callbacks to C.
        named.remove("com.sun.jna.Callback$UncaughtExceptionHandler");
        Set<String> registered = new TreeSet<>();
        json("jni-config.json").forEach(type -> registered.add(type.path("name").asText()));
        Set<String> missing = new TreeSet<>(named);
        missing.removeAll(registered);
        assertEquals(Set.of(), missing, "looked up by libjnidispatch but not registered");
        registered.removeAll(named);
        assertEquals(Set.of(), registered, "registered but never looked up by libjnidispatch");
    }

    @Test
    void resourcesTheImageNeedsAreOnTheClassPath() throws IOException {
        int literals = 0;
        for (JsonNode include : json("resource-config.json").path("resources").path("includes")) {
            Matcher literal = Pattern.compile("\\\\Q(.*)\\\\E").matcher(include.path("pattern").asText());
            if (literal.matches()) {
                resource(literal.group(1)).close();
                literals++;
            }
        }
        assertEquals(3, literals);
        // JNA's helper comes from the native profile, for the platform the pom's jna-linux-*
        // profiles name: each exists in the JNA jar under that name.
        for (String platform : List.of("linux-x86-64", "linux-aarch64")) {
            assertTrue(Files.readString(ROOT.resolve("agent/pom.xml")).contains("<jna.platform>" + platform + "</jna.platform>"));
            resource("com/sun/jna/" + platform + "/libjnidispatch.so").close();
        }
    }

    @Test
    void emulatorSampleIsInTheDevelopmentImageOnly() throws IOException {
        Path resources = ROOT.resolve("agent/src/main/resources");
        Path sample = resources.resolve("dev/bootsecrets/emulator/sample");
        assumeTrue(Files.isDirectory(sample), "no emulator sample in this tree yet");
        List<Pattern> boot = new ArrayList<>();
        json("resource-config.json").path("resources").path("includes")
                .forEach(include -> boot.add(Pattern.compile(include.path("pattern").asText())));
        // The native-dev profile adds the sample to the development image (emulate, demo).
        Matcher arg = Pattern.compile("<buildArg>-H:IncludeResources=(dev/bootsecrets/[^<]+)</buildArg>")
                .matcher(Files.readString(ROOT.resolve("agent/pom.xml")));
        List<Pattern> development = new ArrayList<>();
        while (arg.find()) {
            development.add(Pattern.compile(arg.group(1)));
        }
        try (Stream<Path> files = Files.walk(sample)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = resources.relativize(file).toString();
                assertTrue(development.stream().anyMatch(p -> p.matcher(name).matches()), name + " is not in -Pnative-dev");
                assertFalse(boot.stream().anyMatch(p -> p.matcher(name).matches()), name + " is in the boot image");
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------

    record Run(int status, String output) {}

    /** The command line that runs the agent from the test class path in a JVM of its own. */
    static List<String> agent(String... arguments) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.bootsecrets.cli.Main"));
        command.addAll(List.of(arguments));
        return command;
    }

    static Run run(String... command) throws IOException, InterruptedException {
        return run(Map.of(), command);
    }

    static Run run(Map<String, String> environment, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SYSTEMD_COLORS", "0");
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    /**
     * A file system root for systemd-analyze verify: this machine's own units (the targets and
     * services ours are ordered against), ours with the example sandbox drop-in, the agent's
     * launcher at the path ExecStart names, and a stand-in for the example consumer's program.
     */
    Path rootWithUnits(boolean withAgent) throws IOException {
        Path units = Files.createDirectories(tmp.resolve("usr/lib/systemd/system"));
        try (Stream<Path> host = Files.list(Path.of("/usr/lib/systemd/system"))) {
            for (Path unit : host.filter(Files::isRegularFile).toList()) {
                Files.copy(unit, units.resolve(unit.getFileName().toString()));
            }
        }
        for (String unit : UNITS) {
            Files.copy(SYSTEMD.resolve(unit), units.resolve(unit), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.copy(SYSTEMD.resolve("examples/myapp.service"), units.resolve("myapp.service"));
        Path dropIn = Files.createDirectories(tmp.resolve("etc/systemd/system/myapp.service.d"));
        Files.copy(SYSTEMD.resolve("examples/bootsecrets-consumer.conf"), dropIn.resolve("bootsecrets.conf"));
        Path sandbox = Files.createDirectories(tmp.resolve("etc/systemd/system/bootsecrets.service.d"));
        Files.copy(SYSTEMD.resolve("examples/bootsecrets-namespace-sandbox.conf"), sandbox.resolve("namespace-sandbox.conf"));
        if (withAgent) {
            executable(ROOT.resolve("agent/src/main/sh/bootsecrets"), tmp.resolve("usr/bin/bootsecrets"));
        }
        Files.createDirectories(tmp.resolve("bin"));
        executable(Path.of("/bin/sh").toRealPath(), tmp.resolve("bin/sh")); // the refresh's podman sync
        Path myapp = tmp.resolve("usr/local/bin/myapp");
        Files.createDirectories(myapp.getParent());
        Files.writeString(myapp, "#!/bin/sh\n");
        executable(myapp, myapp);
        return tmp;
    }

    static void executable(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        if (!from.equals(to)) {
            Files.copy(from, to);
        }
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static Run verify(Path root) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify", "--man=no", "--root=" + root));
        for (String unit : Stream.concat(UNITS.stream(), Stream.of("myapp.service")).toList()) {
            command.add(root.resolve("usr/lib/systemd/system").resolve(unit).toString());
        }
        return run(command.toArray(String[]::new));
    }

    /** One section of a unit file: key to values, in order, without comments. */
    static Map<String, List<String>> section(Path unit, String name) throws IOException {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        String current = null;
        for (String line : Files.readAllLines(unit)) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                current = line.substring(1, line.length() - 1);
            } else if (name.equals(current)) {
                int eq = line.indexOf('=');
                List<String> values = keys.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>());
                String value = line.substring(eq + 1);
                if (Set.of("Wants", "After", "Before").contains(line.substring(0, eq))) {
                    values.addAll(List.of(value.split("\\s+")));
                } else {
                    values.add(value);
                }
            }
        }
        return keys;
    }

    /** The Containerfile's instructions, comments dropped and continuation lines joined. */
    static List<String> containerfile() throws IOException {
        String text = Files.readString(ROOT.resolve("packaging/bootc-containerfile/Containerfile"));
        List<String> instructions = new ArrayList<>();
        for (String line : text.replace("\\\n", " ").split("\n")) {
            line = line.strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                instructions.add(line.replaceAll("\\s+", " "));
            }
        }
        return instructions;
    }

    /** The imageName of the agent pom's native profile: the file the native build writes. */
    static String nativeImageName() throws Exception {
        NodeList profiles = pom(ROOT.resolve("agent/pom.xml")).getElementsByTagName("profile");
        for (int i = 0; i < profiles.getLength(); i++) {
            Element profile = (Element) profiles.item(i);
            if (profile.getElementsByTagName("id").item(0).getTextContent().equals("native")) {
                return profile.getElementsByTagName("imageName").item(0).getTextContent().strip();
            }
        }
        throw new AssertionError("agent/pom.xml has no native profile");
    }

    static Document pom(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    static JsonNode json(String file) throws IOException {
        return new ObjectMapper().readTree(METADATA.resolve(file).toFile());
    }

    static InputStream resource(String name) {
        InputStream in = PackagingTest.class.getClassLoader().getResourceAsStream(name);
        assertNotNull(in, name + " is not on the class path");
        return in;
    }

    /** A type name as native-image metadata writes it: primitive, array or binary class name. */
    static Class<?> type(String name) {
        if (name.endsWith("[]")) {
            return Array.newInstance(type(name.substring(0, name.length() - 2)), 0).getClass();
        }
        return switch (name) {
            case "boolean" -> boolean.class;
            case "byte" -> byte.class;
            case "char" -> char.class;
            case "short" -> short.class;
            case "int" -> int.class;
            case "long" -> long.class;
            case "float" -> float.class;
            case "double" -> double.class;
            default -> {
                try {
                    yield Class.forName(name, false, PackagingTest.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new AssertionError("no class " + name, e);
                }
            }
        };
    }

    /** The NUL-separated printable strings of a binary, as strings(1) would list them. */
    static List<String> printableStrings(byte[] binary) {
        List<String> strings = new ArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        for (byte b : binary) {
            if (b >= 0x20 && b < 0x7f) {
                current.write(b);
            } else {
                if (b == 0 && current.size() > 0) {
                    strings.add(current.toString(StandardCharsets.US_ASCII));
                }
                current.reset();
            }
        }
        return strings;
    }

    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("systemd"))) {
                return dir;
            }
        }
        throw new UncheckedIOException(new IOException("no repository root above " + Path.of("").toAbsolutePath()));
    }
}
