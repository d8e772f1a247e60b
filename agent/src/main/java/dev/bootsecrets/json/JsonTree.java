package dev.bootsecrets.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * JSON text to and from trees with jackson-core's streaming parser and generator. The trees are
 * the ones {@code ObjectMapper} reads and writes by default, without databind's (de)serializer
 * machinery, which would otherwise be compiled into the boot image.
 */
public final class JsonTree {
    private static final JsonFactory FACTORY = new JsonFactory(); // default read and write constraints
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTree() {}

    /**
     * The first JSON value in {@code bytes} (what follows it is not read), or a missing node when
     * there is none, as {@code ObjectMapper.readTree(byte[])}.
     */
    public static JsonNode read(byte[] bytes) throws IOException {
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            return tree(parser);
        }
    }

    /** As {@link #read(byte[])}, for text ({@code ObjectMapper.readTree(String)}). */
    public static JsonNode read(String text) throws JsonProcessingException {
        try (JsonParser parser = FACTORY.createParser(text)) {
            return tree(parser);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) { // no I/O on a string: as ObjectMapper wraps the impossible
            throw JsonMappingException.fromUnexpectedIOE(e);
        }
    }

    /** Compact UTF-8 JSON, as {@code ObjectMapper.writeValueAsBytes(node)}. */
    public static byte[] write(JsonNode node) throws JsonProcessingException {
        return bytes(node, false);
    }

    /** Indented UTF-8 JSON, as {@code ObjectMapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(node)}. */
    public static byte[] writePretty(JsonNode node) throws JsonProcessingException {
        return bytes(node, true);
    }

    /**
     * Compact JSON text, as {@code ObjectMapper.writeValueAsString(node)} and, but for a missing
     * node, {@code node.toString()}. Unchecked as toString: text is written to memory, which fails
     * only beyond the generator's nesting limit.
     */
    public static String text(JsonNode node) {
        return string(node, false);
    }

    /** Indented JSON text, as {@code node.toPrettyString()}: empty for a missing node. */
    public static String prettyText(JsonNode node) {
        return node.isMissingNode() ? "" : string(node, true);
    }

    /** A generator writing UTF-8 JSON to {@code out}, for documents written field by field rather than as a tree. */
    public static JsonGenerator generator(OutputStream out) throws IOException {
        return FACTORY.createGenerator(out);
    }

    /**
     * The tree, read token by token in the order databind's node deserializer asks for them (field
     * names with {@code nextFieldName}), so that even the parser's messages are the same.
     */
    private static JsonNode tree(JsonParser parser) throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            return NODES.missingNode();
        }
        JsonNode root = value(parser, first);
        // Iterative, as databind's: the parser's nesting limit bounds the stack, not the thread's.
        Deque<ContainerNode<?>> open = new ArrayDeque<>();
        if (root instanceof ContainerNode<?> container) {
            open.push(container);
        }
        while (!open.isEmpty()) {
            JsonNode child;
            if (open.peek() instanceof ObjectNode object) {
                String name = parser.nextFieldName();
                if (name == null) { // the end of the object: the parser allows nothing else here
                    open.pop();
                    continue;
                }
                child = value(parser, parser.nextToken());
                object.set(name, child); // a repeated name: the last value wins, in the first one's place
            } else {
                JsonToken token = parser.nextToken();
                if (token == JsonToken.END_ARRAY) {
                    open.pop();
                    continue;
                }
                child = value(parser, token);
                ((ArrayNode) open.peek()).add(child);
            }
            if (child instanceof ContainerNode<?> container) {
                open.push(container);
            }
        }
        return root;
    }

    /** The node a value's first token starts: an empty container, or a scalar. */
    private static JsonNode value(JsonParser parser, JsonToken token) throws IOException {
        if (token == null) { // the parser reports an early end first
            throw new JsonParseException(parser, "Unexpected end-of-input");
        }
        return switch (token) {
            case START_OBJECT -> NODES.objectNode();
            case START_ARRAY -> NODES.arrayNode();
            case VALUE_STRING -> NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> NODES.numberNode(parser.getIntValue());
                case LONG -> NODES.numberNode(parser.getLongValue());
                default -> NODES.numberNode(parser.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new JsonParseException(parser, "Unexpected token " + token);
        };
    }

    private static byte[] bytes(JsonNode node, boolean pretty) throws JsonProcessingException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator out = FACTORY.createGenerator(bytes)) {
            emit(node, pretty ? out.useDefaultPrettyPrinter() : out);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) { // writing to memory
            throw JsonMappingException.fromUnexpectedIOE(e);
        }
        return bytes.toByteArray();
    }

    private static String string(JsonNode node, boolean pretty) {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = FACTORY.createGenerator(text)) {
            emit(node, pretty ? out.useDefaultPrettyPrinter() : out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** The node as databind's node classes serialize themselves with ObjectMapper's defaults. */
    private static void emit(JsonNode node, JsonGenerator out) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                out.writeStartObject();
                for (var field : node.properties()) {
                    out.writeFieldName(field.getKey());
                    emit(field.getValue(), out);
                }
                out.writeEndObject();
            }
            case ARRAY -> {
                out.writeStartArray();
                for (JsonNode item : node) {
                    emit(item, out);
                }
                out.writeEndArray();
            }
            case STRING -> out.writeString(node.textValue());
            case NUMBER -> {
                switch (node.numberType()) {
                    case INT -> out.writeNumber(node.intValue());
                    case LONG -> out.writeNumber(node.longValue());
                    case BIG_INTEGER -> out.writeNumber(node.bigIntegerValue());
                    case FLOAT -> out.writeNumber(node.floatValue());
                    case DOUBLE -> out.writeNumber(node.doubleValue());
                    case BIG_DECIMAL -> out.writeNumber(node.decimalValue());
                }
            }
            case BOOLEAN -> out.writeBoolean(node.booleanValue());
            case NULL, MISSING -> out.writeNull();
            case BINARY -> out.writeBinary(node.binaryValue());
            case POJO -> throw new IllegalArgumentException("not a JSON tree: a POJO node");
        }
    }
}
