package dev.bootsecrets.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JsonTree reads and writes exactly what ObjectMapper does with its defaults, input by input. */
class JsonTreeTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final List<String> CORPUS = List.of(
            "{}", "[]", "[{}, [], {\"a\": []}]", "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\",\"f\":{}}}",
            "  {\"z\": 1, \"a\": 2, \"m\": 3}  ", "\"plain\"", "\"\"", "true", "false", "null",
            "{\"\u00fc\": \"\u65e5\u672c\u8a9e \ud83d\ude00\", \"\": \"empty name\"}",
            "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\\u007f\\u00e9\\u2028\\ud83d\\ude00\"",
            "\"\\ud800 lone\"", "\"</script>&'<>\"",
            "0", "-0", "7", "-7", "2147483647", "2147483648", "-2147483648", "-2147483649",
            "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
            "123456789012345678901234567890", "-98765432109876543210987654321098765432109876543210",
            "1.5", "-0.0", "0.0", "1.0", "0.1", "1e10", "1E-300", "-1.5e+3", "1e400", "-1e400", "4.9e-325",
            "3.141592653589793238462643383279502884197", "12345678901234567890.5", "[1, 1.0, 1e0, -1, 1E2]",
            "{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":{\"x\":1},\"b\":0,\"a\":[2]}", "{\"a\":null,\"a\":\"x\"}",
            "", " ", " \n\t\r ",
            "{} x", "{}x", "[1] [2]", "{}}", "[]]", "null null", "\"a\"b", "true false", "1 2", "1x", "1]",
            "{", "[1,", "{\"a\":}", "{a:1}", "'a'", "[1,]", "{\"a\":1,}", "01", "-", "1.", ".5", "+1", "1e",
            "NaN", "Infinity", "nul", "tru", "{\"a\" 1}", "\"\\x\"", "\"unterminated", "[1 2]", "\"a\u0001b\"",
            "/* c */ {}", "# c\n{}", "{\"a\":1}\u0000", "\u00ef\u00bb\u00bf{}", "}", "]", ",", ":");

    @Test
    void readsAsObjectMapperDoesFromText() throws Exception {
        for (String text : CORPUS) {
            same(text, read(() -> MAPPER.readTree(text)), read(() -> JsonTree.read(text)));
        }
    }

    @Test
    void readsAsObjectMapperDoesFromBytes() throws Exception {
        List<byte[]> inputs = new ArrayList<>();
        CORPUS.forEach(text -> inputs.add(text.getBytes(UTF_8)));
        inputs.add(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'});
        inputs.add(new byte[] {'"', (byte) 0xff, '"'});
        inputs.add(new byte[] {'"', (byte) 0xc3, '"'});
        inputs.add(new byte[] {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'});
        inputs.add("{\"a\": [1, \"\u00e9\"]}".getBytes(StandardCharsets.UTF_16));
        inputs.add("{\"a\": [1, \"\u00e9\"]}".getBytes(StandardCharsets.UTF_16LE));
        inputs.add("[\"x\"]".getBytes(java.nio.charset.Charset.forName("UTF-32BE")));
        inputs.add(new byte[] {0, 0, 0, '[', 0, 0, 0, ']', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        for (byte[] bytes : inputs) {
            same(new String(bytes, UTF_8), read(() -> MAPPER.readTree(bytes)), read(() -> JsonTree.read(bytes)));
        }
    }

    @Test
    void emptyAndBlankInputAreAMissingNode() throws Exception {
        assertTrue(JsonTree.read("").isMissingNode());
        assertTrue(JsonTree.read(" \n ".getBytes(UTF_8)).isMissingNode());
        assertTrue(MAPPER.readTree(new byte[0]).isMissingNode());
    }

    @Test
    void aRepeatedNameKeepsTheLastValueInTheFirstPlace() throws Exception {
        JsonNode tree = JsonTree.read("{\"a\":1,\"b\":2,\"a\":3}");
        assertEquals("{\"a\":3,\"b\":2}", new String(JsonTree.write(tree), UTF_8));
    }

    @Test
    void nestingIsReadToTheLimitAndRefusedBeyondIt() throws Exception {
        for (int depth : new int[] {999, 1000, 1001, 5000}) {
            String arrays = "[".repeat(depth) + "]".repeat(depth);
            same("arrays " + depth, read(() -> MAPPER.readTree(arrays)), read(() -> JsonTree.read(arrays)));
            String objects = "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
            same("objects " + depth, read(() -> MAPPER.readTree(objects)), read(() -> JsonTree.read(objects)));
        }
        assertTrue(JsonTree.read("[".repeat(1000) + "]".repeat(1000)).isArray());
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class,
                () -> JsonTree.read("[".repeat(1001) + "]".repeat(1001)));
    }

    @Test
    void longNumbersAndStringsMeetTheSameLimits() throws Exception {
        for (String text : List.of("9".repeat(1000), "9".repeat(1001), "0." + "1".repeat(1100),
                "\"" + "x".repeat(100_000) + "\"", "{\"" + "n".repeat(50_001) + "\": 1}")) {
            same(text.substring(0, 20), read(() -> MAPPER.readTree(text)), read(() -> JsonTree.read(text)));
        }
    }

    @Test
    void writesWhatObjectMapperWritesForEveryKindOfNode() throws Exception {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode tree = nodes.objectNode();
        tree.put("int", 5).put("short", (short) 3).put("long", 1L << 40).put("big", new BigInteger("9".repeat(40)))
                .put("float", 1.25f).put("floatOdd", 0.1f).put("double", 0.1).put("nan", Double.NaN)
                .put("inf", Double.NEGATIVE_INFINITY).put("decimal", new BigDecimal("1.50"))
                .put("decimalExp", new BigDecimal("1E+3")).put("bool", true).putNull("null")
                .put("binary", new byte[] {0, 1, 2, (byte) 0xff, 'x'}).put("emptyBinary", new byte[0])
                .put("text", "a\"b\\c\n\u00e9\ud83d\ude00").put("", "");
        tree.putObject("empty");
        tree.putArray("none");
        tree.putArray("list").add(1).add("two").addNull().addObject().put("k", "v");
        tree.set("missing", MissingNode.getInstance());
        writesAlike(tree);
        writesAlike(nodes.arrayNode());
        writesAlike(nodes.textNode("alone"));
        writesAlike(nodes.numberNode(-0.0));
        writesAlike(nodes.nullNode());
        writesAlike(MissingNode.getInstance());
    }

    @Test
    void writesWhatObjectMapperWritesForEveryTreeItReads() throws Exception {
        for (String text : CORPUS) {
            JsonNode tree;
            try {
                tree = MAPPER.readTree(text);
            } catch (Exception e) {
                continue;
            }
            writesAlike(tree);
        }
        writesAlike(MAPPER.readTree("[".repeat(1000) + "]".repeat(1000)));
    }

    @Test
    void refusesAPojoNode() {
        ObjectNode tree = JsonNodeFactory.instance.objectNode().putPOJO("p", new Object());
        assertThrows(IllegalArgumentException.class, () -> JsonTree.write(tree));
    }

    private static void writesAlike(JsonNode tree) throws Exception {
        String what = tree.getNodeType().toString();
        assertArrayEquals(MAPPER.writeValueAsBytes(tree), JsonTree.write(tree), what);
        assertArrayEquals(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree), JsonTree.writePretty(tree), what);
        assertEquals(MAPPER.writeValueAsString(tree), JsonTree.text(tree), what);
        assertEquals(tree.toPrettyString(), JsonTree.prettyText(tree), what);
        if (!tree.isMissingNode()) { // its toString is empty; text writes null, as writeValueAsString does
            assertEquals(tree.toString(), JsonTree.text(tree), what);
        }
    }

    /** A tree or the exception reading threw. */
    private record Outcome(JsonNode tree, Exception failure) {}

    private interface Reading {
        JsonNode read() throws Exception;
    }

    private static Outcome read(Reading reading) {
        try {
            return new Outcome(reading.read(), null);
        } catch (Exception e) {
            return new Outcome(null, e);
        }
    }

    private static void same(String input, Outcome expected, Outcome actual) throws Exception {
        String what = "input " + input.substring(0, Math.min(input.length(), 60));
        if (expected.failure() != null) {
            assertTrue(actual.failure() != null, what + ": ObjectMapper refused it, JsonTree read " + actual.tree());
            assertEquals(expected.failure().getClass(), actual.failure().getClass(), what);
            assertEquals(expected.failure().getMessage(), actual.failure().getMessage(), what);
            return;
        }
        assertTrue(actual.failure() == null, what + ": JsonTree refused it: " + actual.failure());
        sameNodes(what, expected.tree(), actual.tree());
    }

    /** Equal, of the same node classes all the way down, with fields in the same order. */
    private static void sameNodes(String what, JsonNode expected, JsonNode actual) {
        assertEquals(expected, actual, what);
        assertEquals(expected.getClass(), actual.getClass(), what);
        Iterator<Map.Entry<String, JsonNode>> e = expected.fields();
        Iterator<Map.Entry<String, JsonNode>> a = actual.fields();
        while (e.hasNext()) {
            Map.Entry<String, JsonNode> ef = e.next();
            Map.Entry<String, JsonNode> af = a.next();
            assertEquals(ef.getKey(), af.getKey(), what);
            sameNodes(what, ef.getValue(), af.getValue());
        }
        for (int i = 0; expected.isArray() && i < expected.size(); i++) {
            sameNodes(what, expected.get(i), actual.get(i));
        }
    }
}
