package dev.bootsecrets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.Scenario;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Known secret values go through every command; they must reach the files they belong in
 * and nothing else: not stdout, not the log, not the status file, not an error message.
 */
class RedactionTest {
    static final String TAG = "tag-value-9f3a1c77e2";
    static final String INLINE = "inline-value-5b8e0d41aa";
    static final String FROM_FILE = "file-value-c2d94e7f13";
    static final String WRITE_FILES = "write-files-value-7a6b5c4d";
    static final String BAD_BASE64 = "bad-b64-value-0e1f2a3b!!";
    static final String ROBOT = "robot-value-4e5f6a7b8c";
    static final String TOKEN = "token-value-a1b2c3d4e5";
    /** A short value, also the name of the file it goes to: only the net keeps it out of messages. */
    static final String SHORT = "Pw4x";
    /** The auth field containers-auth.json holds for the robot: a value in another form. */
    static final String ROBOT_AUTH = Base64.getEncoder().encodeToString(("robot:" + ROBOT).getBytes(StandardCharsets.UTF_8));
    static final List<String> SECRETS = List.of(TAG, INLINE, FROM_FILE, WRITE_FILES, BAD_BASE64, ROBOT, TOKEN, ROBOT_AUTH, SHORT);
    /** Values of one to three characters: too short to mask inside words, still never printed as words. */
    static final List<String> TINY = List.of("Q", "Zq", "K7x");

    static final String USER_DATA = """
            #cloud-config
            write_files:
              - {path: /etc/app/plain.conf, content: "%s\\n", permissions: "0600"}
            bootsecrets:
              secrets:
                tag:    {from: "metadata:attributes/app-token"}
                inline: {value: "%s"}
                file:   {from: "file:/usr/lib/bootsecrets/bootstrap/app.key"}
                robot:  {from: "metadata:attributes/robot"}
                token:  {from: "metadata:attributes/token"}
                short:  {value: "%s"}
                tiny1:  {value: "Q"}
                tiny2:  {value: "Zq"}
                tiny3:  {value: "K7x"}
              files:
                /etc/app/%s: {secret: short}
                /etc/app/tiny1: {secret: tiny1}
                /etc/app/tiny2: {secret: tiny2}
                /etc/app/tiny3: {secret: tiny3}
                /etc/app/tag:    {secret: tag}
                /etc/app/inline: {secret: inline}
                /etc/app/file:   {secret: file}
              registries:
                quay.io/app: {username: robot, password: {secret: robot}}
                ghcr.io: {identityToken: {secret: token}}
              credentials:
                tag: {secret: tag}
                file-sealed: {secret: file, encrypt: host}
              env:
                app: {TOKEN: {secret: token}, INLINE: {secret: inline}}
            """.formatted(WRITE_FILES, INLINE, SHORT, SHORT);

    @TempDir
    Path dir;

    @Test
    void secretValuesAppearOnlyInTheirFiles() throws Exception {
        Path root = Agent.sandbox(dir);
        Files.copy(Path.of("/etc/machine-id"), root.resolve("etc/machine-id"));
        Files.createDirectories(root.resolve("usr/lib/bootsecrets/bootstrap"));
        Files.writeString(root.resolve("usr/lib/bootsecrets/bootstrap/app.key"), FROM_FILE);
        Agent.writeImageConfig(root, Agent.READ_BOOTSTRAP);
        Path userData = dir.resolve("user-data");
        Files.writeString(userData, USER_DATA);
        Files.createDirectories(root.resolve("usr/lib/bootsecrets/config.d"));
        Files.writeString(root.resolve("usr/lib/bootsecrets/config.d/offline.yaml"), "offline: {maxAge: 1d}\n");

        List<Agent.Run> runs = new ArrayList<>();
        try (Emulator emulator = start(USER_DATA)) {
            String url = emulator.url().toString();
            runs.add(Agent.run(root, url, "--dry-run"));
            runs.add(Agent.run(root, url));
            assertEquals(0, runs.get(1).exit(), runs.get(1).all());
            runs.add(Agent.main("status", "--root", root.toString()));
            runs.add(Agent.main("status", "--root", root.toString(), "--json"));
            runs.add(Agent.main("check", "--user-data", userData.toString(), "--root", root.toString(), "--verbose"));
            runs.add(Agent.main("store", "verify", "--root", root.toString(), "--verbose"));
            runs.add(Agent.main("store", "rekey", "--root", root.toString(), "--verbose"));
            // The metadata service down: the stored values come back, and still say nothing of themselves.
            emulator.close();
            Agent.writeConfig(root, "metadata: {deadline: 1s}\n");
            Agent.Run stale = Agent.run(root, url);
            assertEquals(ExitCode.STALE, stale.exit(), stale.all());
            runs.add(stale);
            runs.add(Agent.main("status", "--root", root.toString()));
            Files.delete(root.resolve("etc/bootsecrets/config.yaml"));
        }
        // A failing run whose error is about a secret: the message names it, never its value.
        String bad = USER_DATA.replace("bootsecrets:\n  secrets:\n", "bootsecrets:\n  secrets:\n    b64: {value: \""
                + BAD_BASE64 + "\", encoding: base64}\n").replace("  files:\n", "  files:\n    /etc/app/b64: {secret: b64}\n");
        try (Emulator emulator = start(bad)) {
            Agent.Run failed = Agent.run(root, emulator.url().toString());
            assertEquals(ExitCode.INVALID, failed.exit(), failed.all());
            assertTrue(failed.err().contains("secrets.b64") && failed.err().contains("base64"), failed.err());
            runs.add(failed);
        }

        // User-data that is not valid YAML: the error gives the place, never the document's words.
        for (String broken : List.of("#cloud-config\nbootsecrets:\n  x: *Hunter2Pw\n", "#cloud-config\nx: !!S3cr3tTag y\n")) {
            try (Emulator emulator = start(broken)) {
                Agent.Run failed = Agent.run(root, emulator.url().toString());
                assertEquals(ExitCode.INVALID, failed.exit(), failed.all());
                assertTrue(failed.err().contains("user-data: line "), failed.err());
                String status = Files.readString(root.resolve("run/bootsecrets/status.json"));
                for (String word : List.of("Hunter2Pw", "S3cr3tTag")) {
                    assertFalse(failed.all().contains(word), failed.all());
                    assertFalse(status.contains(word), status);
                }
            }
        }

        assertEquals(TAG, Files.readString(root.resolve("etc/app/tag")));
        assertEquals(SHORT, Files.readString(root.resolve("etc/app/" + SHORT)));
        assertEquals(INLINE, Files.readString(root.resolve("etc/app/inline")));
        assertEquals(FROM_FILE, Files.readString(root.resolve("etc/app/file")));
        assertEquals(WRITE_FILES + "\n", Files.readString(root.resolve("etc/app/plain.conf")));

        assertEquals(TAG, Files.readString(root.resolve("run/credstore/tag")));
        assertTrue(Files.readString(root.resolve("run/ostree/auth.json")).contains(ROBOT_AUTH));
        assertTrue(Files.readString(root.resolve("run/bootsecrets/env/app.env")).contains(TOKEN));

        // what bootsecrets writes about its work, as against the outputs themselves
        List<String> records = new ArrayList<>();
        for (String record : List.of("run/bootsecrets/status.json", "run/bootsecrets/manifest.json", "var/lib/bootsecrets/manifest.json")) {
            records.add(record + ":\n" + Files.readString(root.resolve(record)));
        }
        // The store's files are base64 ciphertext, records behind one plain header line. Short values
        // are looked for in the header only: any short word turns up in enough random base64 by
        // chance. The whole files are searched for the values long enough never to arise by chance.
        List<String> ciphertexts = new ArrayList<>();
        try (var store = Files.list(root.resolve("var/lib/bootsecrets/store"))) {
            for (Path file : store.toList()) {
                String text = Files.readString(file, StandardCharsets.ISO_8859_1);
                if (text.startsWith("bootsecrets-store ")) {
                    records.add(file + ":\n" + text.substring(0, text.indexOf('\n') + 1));
                }
                ciphertexts.add(file + ":\n" + text);
            }
        }
        assertFalse(Files.readString(root.resolve("run/credstore.encrypted/file-sealed")).contains(FROM_FILE));
        assertEquals("K7x", Files.readString(root.resolve("etc/app/tiny3")));
        for (String tiny : TINY) {
            Pattern word = Pattern.compile("(?<![\\p{L}\\p{N}])" + tiny + "(?![\\p{L}\\p{N}])");
            for (Agent.Run run : runs) {
                assertFalse(word.matcher(run.all()).find(), "a short value leaked into output:\n" + run.all());
            }
            for (String record : records) {
                assertFalse(word.matcher(record).find(), "a short value leaked into " + record);
            }
        }
        for (String secret : SECRETS) {
            for (Agent.Run run : runs) {
                assertFalse(run.all().contains(secret), "a secret value leaked into output:\n" + run.all());
            }
            for (String record : records) {
                if (secret.equals(SHORT) && record.contains("manifest.json:")) {
                    continue; // the manifests hold the real path, to take the file back when it is no longer declared
                }
                assertFalse(record.contains(secret), "a secret value leaked into " + record);
            }
            for (String ciphertext : secret.length() >= 12 ? ciphertexts : List.<String>of()) {
                assertFalse(ciphertext.contains(secret), "a secret value leaked into " + ciphertext);
            }
        }
    }

    private static Emulator start(String userData) throws Exception {
        Scenario s = Scenario.sample("aws");
        Scenario scenario = new Scenario(s.instanceId(), s.hostname(), s.region(), s.zone(), s.sshKeys(),
                Map.of("app-token", TAG, "robot", ROBOT, "token", TOKEN), Optional.of(userData.getBytes(StandardCharsets.UTF_8)), s.aws(), s.faults());
        return Emulator.start("aws", new InetSocketAddress("127.0.0.1", 0), scenario);
    }
}
