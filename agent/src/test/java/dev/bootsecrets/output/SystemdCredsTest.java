package dev.bootsecrets.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.config.Declarations.CredentialDecl;
import dev.bootsecrets.config.Declarations.Encryption;
import dev.bootsecrets.config.Origin;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.Manifest;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TPM2-bound credentials go through systemd-creds. This machine has no TPM, so what is checked
 * is how it is called: a stand-in program records its argv, its environment and its stdin and
 * answers as systemd-creds would. The value must reach it on stdin only; its environment must
 * be empty.
 */
class SystemdCredsTest {
    static final String VALUE = "tpm-bound-value-7c1e9a";

    @TempDir
    Path dir;

    SystemdCreds creds;

    @BeforeEach
    void fakeSystemdCreds() throws IOException {
        Path fake = dir.resolve("systemd-creds");
        Files.writeString(fake, """
                #!/bin/sh
                d=%s
                for a in "$@"; do printf '%%s\\n' "$a"; done > "$d/argv"
                /bin/cat /proc/$$/environ > "$d/environ"
                /bin/cat > "$d/stdin"
                case "$1" in
                  encrypt) printf 'FAKEBLOB\\n' ;;
                  decrypt) if [ "$(/bin/cat "$d/stdin")" = "FAKEBLOB" ]; then printf '%s'; \
                           else echo "Decryption failed (incorrect key?)" >&2; exit 1; fi ;;
                  *) echo "Unknown verb" >&2; exit 2 ;;
                esac
                """.formatted(dir, VALUE));
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        creds = new SystemdCreds(fake, Duration.ofSeconds(30));
    }

    String recorded(String name) throws IOException {
        return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    }

    @Test
    void theValueGoesInOnStdinAndTheEnvironmentIsEmpty() throws Exception {
        byte[] blob = creds.encrypt("db-password", Encryption.HOST_TPM2, Secret.ofUtf8(VALUE));
        assertEquals("FAKEBLOB\n", new String(blob, StandardCharsets.US_ASCII));
        assertEquals("encrypt\n--with-key=host+tpm2\n--name=db-password\n-\n-\n", recorded("argv"));
        assertEquals(VALUE, recorded("stdin"));
        assertEquals("", recorded("environ"), "the child's environment");
        assertFalse(recorded("argv").contains(VALUE));
    }

    @Test
    void decryptGivesTheValueOrNothing() throws Exception {
        assertEquals(VALUE, creds.decrypt("db-password", "FAKEBLOB".getBytes(StandardCharsets.US_ASCII)).orElseThrow().utf8());
        assertEquals("decrypt\n--name=db-password\n-\n-\n", recorded("argv"));
        assertTrue(creds.decrypt("db-password", "OTHER".getBytes(StandardCharsets.US_ASCII)).isEmpty());
    }

    @Test
    void aFailureSaysWhatSystemdCredsSaid() throws Exception {
        Files.writeString(dir.resolve("systemd-creds"), "#!/bin/sh\necho 'No TPM2 device found.' >&2\nexit 1\n");
        IOException e = assertThrows(IOException.class, () -> creds.encrypt("x", Encryption.TPM2, Secret.ofUtf8(VALUE)));
        assertEquals("systemd-creds encrypt failed (exit 1: No TPM2 device found.)", e.getMessage());
    }

    /** The planned credential asks systemd-creds for a new blob only when the file does not hold the value already. */
    @Test
    void aTpmCredentialIsKeptWhileItHoldsTheValue() throws Exception {
        List<String> errors = new ArrayList<>();
        Map<String, Manifest.Entry> tracked = new HashMap<>();
        CredentialDecl decl = new CredentialDecl("db-password", "db", Encryption.TPM2, Origin.file("/etc/bootsecrets/config.yaml", "credentials.db-password"));
        try (TargetRoot slash = TargetRoot.open(Path.of("/"))) {
            List<FileIntent> intents = Credentials.plan(List.of(decl), Map.of("db", Secret.ofUtf8(VALUE)), slash,
                    creds, tracked, errors, new ArrayList<>());
            assertEquals(List.of(), errors);
            FileIntent intent = intents.get(0);
            assertEquals("/run/credstore.encrypted/db-password", intent.path());
            assertEquals(0400, intent.mode());

            assertArrayEquals("FAKEBLOB\n".getBytes(StandardCharsets.US_ASCII), intent.content().render(Optional.empty()));
            assertEquals("encrypt\n--with-key=tpm2\n--name=db-password\n-\n-\n", recorded("argv"));

            byte[] existing = "FAKEBLOB".getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(existing, intent.content().render(Optional.of(existing)), "kept as it is");
            assertEquals("decrypt\n--name=db-password\n-\n-\n", recorded("argv"));
        }
        try (TargetRoot sandbox = TargetRoot.open(dir)) {
            Credentials.plan(List.of(decl), Map.of("db", Secret.ofUtf8(VALUE)), sandbox,
                    creds, tracked, errors, new ArrayList<>());
            assertEquals(List.of("/etc/bootsecrets/config.yaml:credentials.db-password (credentials.db-password): encrypt: tpm2"
                    + " seals to this machine's TPM2, so the target root must be / (use encrypt: host for another root)"), errors);
        }
    }
}
