package dev.bootsecrets.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.config.Declarations.Content;
import dev.bootsecrets.config.Declarations.EnvDecl;
import dev.bootsecrets.config.Declarations.EnvVar;
import dev.bootsecrets.config.Origin;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.testing.Tool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Env files are read back by systemd's own EnvironmentFile= parser: {@code systemd-analyze
 * condition ConditionOSRelease=} reads the file named by $SYSTEMD_OS_RELEASE with the same
 * parser (src/basic/env-file.c) PID 1 uses for EnvironmentFile=, and compares a variable with
 * a pattern. Values with every kind of awkward byte must come back exactly, from bash too.
 */
class EnvFilesTest {
    static final Map<String, String> VALUES = new LinkedHashMap<>();

    static {
        VALUES.put("PLAIN", "info");
        VALUES.put("EMPTY", "");
        VALUES.put("QUOTES", "He said \"hi\" and 'bye'");
        VALUES.put("SHELL", "$HOME ${X} $(id) `id` \\ back\\slash \\\"");
        VALUES.put("PADDED", "  padded\t ");
        VALUES.put("LINES", "line1\nline2\n\nend\n");
        VALUES.put("CONTROL", "\r\u0001\u001b[31mred\u007f");
        VALUES.put("COMMENTS", "#not a comment ;nor this");
        VALUES.put("UNICODE", "päss wörd ✓ 🎉");
        VALUES.put("TRAILING", "ends with \\");
        VALUES.put("PEM", "-----BEGIN KEY-----\nMIIB+/=\n-----END KEY-----\n");
    }

    @TempDir
    Path dir;

    static EnvDecl decl(Map<String, String> values) {
        List<EnvVar> vars = new ArrayList<>();
        values.forEach((k, v) -> vars.add(new EnvVar(k, new Content.Literal(Secret.ofUtf8(v)))));
        return new EnvDecl("myapp", vars, Origin.userData("bootsecrets.env.myapp"));
    }

    Path write(Map<String, String> values) throws Exception {
        List<String> errors = new ArrayList<>();
        Secret content = EnvFiles.render(decl(values), Map.of(), errors).orElseThrow();
        assertEquals(List.of(), errors);
        Path file = dir.resolve("myapp.env");
        Files.write(file, content.bytes());
        return file;
    }

    /**
     * Whether systemd's parser reads {@code var} from {@code file} as exactly {@code expected}.
     * An empty pattern is not allowed there, so empty is "matches no non-empty text" (which a
     * missing variable would pass too; bash's check below tells them apart).
     */
    static Tool.Result systemdReads(Path file, String var, String expected) throws Exception {
        if (expected.isEmpty()) {
            return Tool.run(List.of("systemd-analyze", "condition", "ConditionOSRelease=" + var + "!$=\"?*\""),
                    Map.of("SYSTEMD_OS_RELEASE", file.toString()), new byte[0]);
        }
        // fnmatch pattern matching only the text itself (every character escaped), then quoted
        // for the condition's own word splitting
        StringBuilder pattern = new StringBuilder();
        expected.codePoints().forEach(c -> {
            pattern.append("\\\\");
            if (c == '"' || c == '\\') {
                pattern.append('\\');
            }
            pattern.appendCodePoint(c);
        });
        return Tool.run(List.of("systemd-analyze", "condition", "ConditionOSRelease=" + var + "$=\"" + pattern + "\""),
                Map.of("SYSTEMD_OS_RELEASE", file.toString()), new byte[0]);
    }

    @Test
    void systemdReadsEveryValueBackExactly() throws Exception {
        Path file = write(VALUES);
        for (Map.Entry<String, String> v : VALUES.entrySet()) {
            Tool.Result r = systemdReads(file, v.getKey(), v.getValue());
            assertEquals(0, r.exit(), v.getKey() + ": " + r);
            assertTrue(r.stderr().contains("succeeded"), r.stderr());
        }
        // the check can fail: a value one character off does not match
        assertNotEquals(0, systemdReads(file, "LINES", "line1\nline2\n\nend").exit());
        assertNotEquals(0, systemdReads(file, "SHELL", VALUES.get("SHELL").replace("$HOME", "/root")).exit());
    }

    @Test
    void bashSourcingTheFileGetsTheSameValues() throws Exception {
        Path file = write(VALUES);
        for (Map.Entry<String, String> v : VALUES.entrySet()) {
            Tool.Result r = Tool.run(List.of("bash", "-c", "set -a; . \"$1\"; printf %s \"${" + v.getKey() + "?unset}\"", "bash",
                    file.toString()));
            assertEquals(0, r.exit(), r.toString());
            assertEquals(v.getValue(), r.out(), v.getKey());
        }
    }

    @Test
    void theFileIsQuotedLineByLine() throws Exception {
        Path file = write(Map.of("A", "x\"$`\\y"));
        assertEquals(EnvFiles.HEADER + "A=\"x\\\"\\$\\`\\\\y\"\n", Files.readString(file));
    }

    @Test
    void aValueTheFormatCannotCarryIsAnErrorNamingTheVariable() {
        EnvDecl env = new EnvDecl("myapp", List.of(
                new EnvVar("GOOD", new Content.Literal(Secret.ofUtf8("ok"))),
                new EnvVar("NUL", new Content.SecretRef("with-nul")),
                new EnvVar("BINARY", new Content.SecretRef("binary"))), Origin.userData("bootsecrets.env.myapp"));
        List<String> errors = new ArrayList<>();
        var out = EnvFiles.render(env, Map.of("with-nul", Secret.of(new byte[] {'a', 0, 'b'}),
                "binary", Secret.of(new byte[] {(byte) 0xff, (byte) 0xfe})), errors);
        assertTrue(out.isEmpty());
        assertEquals(List.of(
                "user-data:bootsecrets.env.myapp.NUL: the value of secret with-nul holds a NUL byte, which an environment"
                        + " file cannot carry (use a credential or a file instead)",
                "user-data:bootsecrets.env.myapp.BINARY: the value of secret binary is not UTF-8 text, which an environment"
                        + " file cannot carry (use a credential or a file instead)"), errors);
    }
}
