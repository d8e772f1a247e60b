package dev.bootsecrets.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.json.JsonTree;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The index's plain text, JSON: when it was written, the records it lists, what the instance was told. */
final class IndexJson {
    /** The record a name is stored under, and the version the index says it has. */
    record Entry(String name, long version) {}

    /** An index as read. */
    record Parsed(Instant written, List<Entry> entries, InstanceMetadata metadata) {}

    private IndexJson() {}

    static byte[] write(Instant written, List<Entry> entries, InstanceMetadata m) throws IOException {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("written", written.toEpochMilli());
        ArrayNode records = json.putArray("records");
        entries.forEach(e -> records.addObject().put("name", e.name()).put("version", e.version()));
        ObjectNode md = json.putObject("metadata");
        md.put("provider", m.provider()).put("instanceId", m.instanceId()).put("hostname", m.hostname())
                .put("region", m.region()).put("zone", m.zone());
        ObjectNode keys = md.putObject("sshKeys");
        m.sshKeys().forEach((user, list) -> list.forEach(keys.putArray(user)::add));
        m.userData().ifPresent(u -> md.put("userData", Base64.getEncoder().encodeToString(u)));
        m.section().ifPresent(s -> {
            md.put("section", Base64.getEncoder().encodeToString(s.text()));
            s.sshRefusal().ifPresent(r -> md.put("sectionSshRefusal", r));
        });
        return JsonTree.write(json);
    }

    /** Reads what {@link #write} made; any other shape throws. */
    static Parsed read(byte[] plain) throws IOException {
        JsonNode json = JsonTree.read(plain);
        List<Entry> entries = new ArrayList<>();
        for (JsonNode e : json.path("records")) {
            entries.add(new Entry(e.path("name").asText(), e.path("version").asLong()));
        }
        return new Parsed(Instant.ofEpochMilli(json.path("written").asLong()), entries, metadata(json.path("metadata")));
    }

    private static InstanceMetadata metadata(JsonNode md) {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        md.path("sshKeys").fields().forEachRemaining(e -> {
            List<String> list = new ArrayList<>();
            e.getValue().forEach(k -> list.add(k.asText()));
            keys.put(e.getKey(), list);
        });
        return new InstanceMetadata(md.path("provider").asText(), md.path("instanceId").asText(),
                md.path("hostname").asText(), md.path("region").asText(), md.path("zone").asText(), keys,
                bytes(md, "userData"), Map.of(), Optional.empty(), bytes(md, "section").map(text -> new InstanceMetadata.Section(
                        text, md.has("sectionSshRefusal") ? Optional.of(md.path("sectionSshRefusal").asText()) : Optional.empty())));
    }

    private static Optional<byte[]> bytes(JsonNode md, String field) {
        return md.has(field) ? Optional.of(Base64.getDecoder().decode(md.path(field).asText())) : Optional.empty();
    }
}
