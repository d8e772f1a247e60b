package dev.bootsecrets.join;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.secret.Secret;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Request bodies and response trees of the join protocols (trees only: no data binding). */
public final class Json {
    private Json() {}

    /**
     * A JSON object of {@code fields} in order. Values are strings, secrets (written as their
     * text), integers, lists of strings or null. The caller wipes the returned bytes once sent.
     */
    public static byte[] object(Map<String, ?> fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator json = JsonTree.generator(bytes)) {
            json.writeStartObject();
            for (var field : fields.entrySet()) {
                json.writeFieldName(field.getKey());
                switch (field.getValue()) {
                    case null -> json.writeNull();
                    case Secret secret -> json.writeString(secret.utf8());
                    case String text -> json.writeString(text);
                    case Integer number -> json.writeNumber(number);
                    case List<?> list -> {
                        json.writeStartArray();
                        for (Object item : list) {
                            json.writeString((String) item);
                        }
                        json.writeEndArray();
                    }
                    default -> throw new IllegalArgumentException("not a JSON field value: " + field.getValue().getClass());
                }
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory
        }
        return bytes.toByteArray();
    }

    /** The body as a JSON tree, or a missing node when it is empty or not JSON. */
    public static JsonNode parse(byte[] body) {
        try {
            return JsonTree.read(body); // a missing node when empty
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    /** A field's text as a secret, or null when it is missing or not a string. */
    public static Secret secret(JsonNode node) {
        return node != null && node.isTextual() ? Secret.ofUtf8(node.textValue()) : null;
    }
}
