package dev.bootsecrets.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YamlTest {
    private static final String SECRET = "Zq8-hunter2-tOkEn";

    @Test
    void readsPlainMapsListsAndYaml11Scalars() throws ConfigException {
        Object doc = Yaml.load("a: [x, 2]\nmode: 0644\nflag: yes\nempty:\n", "test");
        assertEquals(Map.of("a", List.of("x", 2), "mode", 420, "flag", true), withoutNulls((Map<?, ?>) doc));
        assertTrue(((Map<?, ?>) doc).containsKey("empty"));
    }

    @Test
    void emptyDocumentIsNull() throws ConfigException {
        assertEquals(null, Yaml.load("# nothing\n", "test"));
    }

    @Test
    void malformedYamlNamesLineAndColumnButNotTheText() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Yaml.load("a: 1\nb: [\"" + SECRET + "\",\n  c: d\n", "user-data"));
        assertTrue(e.getMessage().startsWith("user-data: line "), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }

    @Test
    void duplicateKeysAreRefusedNamingOnlyAKeyThatLooksLikeAName() {
        ConfigException e = assertThrows(ConfigException.class, () -> Yaml.load("x: 1\nmode: a\nmode: b\n", "f.yaml"));
        assertEquals("f.yaml: line 3, column 1: duplicate key mode: bootsecrets reads it, and YAML parsers disagree"
                + " on which one wins, so a reviewer and the agent could read different documents; keep one", e.getMessage());
        String odd = SECRET + " =x";
        ConfigException quoted = assertThrows(ConfigException.class,
                () -> Yaml.load("x: 1\n'" + odd + "': a\n'" + odd + "': b\n", "f.yaml"));
        assertTrue(quoted.getMessage().startsWith("f.yaml: line 3, column 1: duplicate a key: "), quoted.getMessage());
        assertFalse(quoted.getMessage().contains(SECRET), quoted.getMessage());
    }

    @Test
    void binaryThatIsNotBase64IsRefusedAtItsPlace() {
        ConfigException e = assertThrows(ConfigException.class, () -> Yaml.load("a: 1\nx: !!binary |\n  " + SECRET + "\n  ....\n", "user-data"));
        assertEquals("user-data: line 2, column 4: a !!binary value that is not base64", e.getMessage());
    }

    @Test
    void valuesThatFailToConvertAreNotQuoted() {
        for (String doc : List.of("x: !!int " + SECRET, "x: !!timestamp " + SECRET, "x: !!binary '" + SECRET + "%'", "x: !custom " + SECRET)) {
            ConfigException e = assertThrows(ConfigException.class, () -> Yaml.load(doc, "user-data"));
            assertFalse(e.getMessage().contains(SECRET.substring(0, 4)), e.getMessage());
        }
    }

    @Test
    void parseErrorsGiveThePlaceAndACategoryNeverTheText() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("a: *Hunter2Pw\n", "line 1, column 4: an alias (*name) to an anchor that is not defined");
        cases.put("a: !!S3cr3t x\n", "line 1, column 4: a tag that is not allowed");
        cases.put("a: !<tag:x.org,2002:S3cr3t> x\n", "line 1, column 4: a value of an unsupported type or tag");
        cases.put("a: \"S3cr3t\\q\"\n", "line 1, column 12: an unknown escape sequence in a double-quoted string");
        cases.put("a: b: S3cr3t\n", "line 1, column 5: a ':' where no mapping can start (quote the value?)");
        cases.put("a: [S3cr3t\n", "line 2, column 1: a structure that is not valid YAML (indentation, or a bracket or quote not closed?)");
        cases.put("a: 'S3cr3t\n", "line 2, column 1: the document ends inside a quoted string");
        cases.put("a:\n\tS3cr3t: 1\n", "line 2, column 1: a character that cannot start a token here (a tab in indentation?)");
        cases.put("S3cr3t\nb: 1\n", "line 2, column 2: a ':' where no mapping can start (quote the value?)");
        for (var c : cases.entrySet()) {
            ConfigException e = assertThrows(ConfigException.class, () -> Yaml.load(c.getKey(), "user-data"), c.getKey());
            assertFalse(e.getMessage().contains("S3cr3t") || e.getMessage().contains("Hunter2Pw"), e.getMessage());
            assertEquals("user-data: " + c.getValue(), e.getMessage(), c.getKey());
        }
    }

    @Test
    void billionLaughsIsRefused() {
        StringBuilder doc = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            String prev = "*" + (char) (c - 1);
            doc.append(c).append(": &").append(c).append(" [").append(String.join(",", java.util.Collections.nCopies(9, prev))).append("]\n");
        }
        ConfigException e = assertThrows(ConfigException.class, () -> Yaml.load(doc.toString(), "user-data"));
        assertEquals("user-data: more than 50 aliases to collections", e.getMessage());
    }

    @Test
    void deepNestingIsRefused() {
        String doc = "[".repeat(100) + "]".repeat(100);
        ConfigException e = assertThrows(ConfigException.class, () -> Yaml.load(doc, "user-data"));
        assertEquals("user-data: nested deeper than 64 levels", e.getMessage());
    }

    @Test
    void documentsLargerThanSnakeYamlsDefaultLimitAreRead() throws ConfigException {
        String line = "x".repeat(63) + "\n";
        String big = line.repeat(4 * 1024 * 1024 / line.length());
        Object doc = Yaml.load("k: |\n" + big.replace(line, "  " + line), "test");
        assertEquals(Map.of("k", big), doc);
    }

    private static Map<?, ?> withoutNulls(Map<?, ?> map) {
        Map<Object, Object> out = new java.util.HashMap<>(map);
        out.values().removeIf(v -> v == null);
        return out;
    }
}
