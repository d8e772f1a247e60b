package dev.bootsecrets.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.json.JsonTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The user-data form systemd-imds imports, {@code {"systemd.credentials": [{name, text|data|encrypted}]}},
 * read as the bootsecrets section it means, so that an image can move between the two: {@code text}
 * and {@code data} (base64) become a secret and the credential of that name in /run/credstore,
 * {@code encrypted} (a {@code systemd-creds encrypt} blob) is put as it is into
 * /run/credstore.encrypted. The section then goes through the same schema and policy as any other.
 */
final class SystemdCredentials {
    static final String KEY = "systemd.credentials";

    private SystemdCredentials() {}

    /**
     * The equivalent bootsecrets section, as JSON text (which YAML reads), when {@code text} is
     * that form (a JSON object with the key); empty when it is not. Errors name the entry.
     */
    static Optional<String> asSection(String text) throws ConfigException {
        if (!text.stripLeading().startsWith("{")) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = JsonTree.read(text);
        } catch (JacksonException e) {
            return Optional.empty();
        }
        if (root == null || !root.isObject() || !root.has(KEY)) {
            return Optional.empty();
        }
        JsonNode items = root.path(KEY);
        if (!items.isArray()) {
            throw new ConfigException(Origin.USER_DATA + ": " + KEY + ": must be an array");
        }
        ObjectNode section = JsonNodeFactory.instance.objectNode();
        ObjectNode secrets = section.putObject("secrets");
        ObjectNode credentials = section.putObject("credentials");
        ObjectNode files = section.putObject("files");
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String field = Origin.USER_DATA + ": " + KEY + "[" + i + "]";
            JsonNode item = items.get(i);
            String name = item.path("name").asText("");
            if (!item.path("name").isTextual() || !Fields.secretName(name)) {
                errors.add(field + ".name: missing, or not a credential name (" + Fields.SECRET_NAME_RULE + ")");
                continue;
            }
            List<String> given = new ArrayList<>();
            item.fieldNames().forEachRemaining(f -> {
                if (!f.equals("name")) {
                    given.add(f);
                }
            });
            if (given.size() != 1 || !List.of("text", "data", "encrypted").contains(given.get(0))
                    || !item.path(given.get(0)).isTextual()) {
                errors.add(field + ": needs exactly one of text, data or encrypted, as a string");
                continue;
            }
            String value = item.path(given.get(0)).asText();
            switch (given.get(0)) {
                case "text" -> secrets.putObject(name).put("value", value);
                case "data" -> secrets.putObject(name).put("value", value).put("encoding", "base64");
                default -> files.putObject("/run/credstore.encrypted/" + name).put("content", value).put("mode", "0400");
            }
            if (!given.get(0).equals("encrypted")) {
                credentials.putObject(name).put("secret", name);
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return Optional.of(JsonTree.text(section));
    }
}
