package dev.bootsecrets.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.json.JsonTree;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What bootsecrets made, so that a later run can take back what is no longer declared:
 * paths, kinds and the names of its own entries inside shared files. Never a value. Outputs
 * under /run are recorded in /run/bootsecrets/manifest.json (gone at the next boot, as they
 * are); the others in /var/lib/bootsecrets/manifest.json.
 */
public record Manifest(List<Entry> entries) {
    public static final String RUN = "/run/bootsecrets/manifest.json";
    public static final String PERSISTENT = "/var/lib/bootsecrets/manifest.json";
    static final int MAX_BYTES = 4 << 20;

    public Manifest {
        entries = List.copyOf(entries);
    }

    /**
     * One output bootsecrets is answerable for.
     *
     * @param created whether bootsecrets made the file (it did not exist before): only then may it
     *                remove the file
     * @param entries what is bootsecrets' own inside a file others share: the registry keys of an
     *                auth.json ({@code auths/quay.io}, {@code credHelpers/ghcr.io}), the user of an
     *                authorized_keys
     * @param carried entries copied in from other files (/etc and /usr/lib auth.json into /run's)
     */
    public record Entry(String path, String kind, boolean created, List<String> entries, List<String> carried) {
        public Entry {
            entries = List.copyOf(entries);
            carried = List.copyOf(carried);
        }

        /** An output that is bootsecrets' only if it made the file. */
        public static Entry file(String path, String kind) {
            return new Entry(path, kind, false, List.of(), List.of());
        }

        public Entry withPath(String value) {
            return new Entry(value, kind, created, entries, carried);
        }

        public Entry withCreated(boolean value) {
            return new Entry(path, kind, value, entries, carried);
        }

        /** Whether there is anything to remember: a file bootsecrets made, or entries of its own in one. */
        public boolean worthKeeping() {
            return created || !entries.isEmpty() || !carried.isEmpty();
        }
    }

    public static Manifest empty() {
        return new Manifest(List.of());
    }

    public Optional<Entry> get(String path) {
        return entries.stream().filter(e -> e.path().equals(path)).findFirst();
    }

    /**
     * Both manifests of the target root. One that cannot be read or parsed counts as empty, with a
     * warning: bootsecrets then removes nothing it cannot prove it made.
     */
    public static Manifest read(TargetRoot root, List<String> warnings) {
        List<Entry> all = new ArrayList<>();
        for (String path : List.of(RUN, PERSISTENT)) {
            try {
                Optional<byte[]> bytes = root.read(path, MAX_BYTES);
                if (bytes.isPresent()) {
                    all.addAll(parse(bytes.get()));
                }
            } catch (IOException | IllegalArgumentException e) {
                warnings.add(path + ": " + e.getMessage() + "; nothing it lists will be removed this run");
            }
        }
        return new Manifest(all);
    }

    static List<Entry> parse(byte[] bytes) {
        JsonNode root;
        try {
            root = JsonTree.read(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("is not valid JSON");
        }
        if (root == null || root.path("version").asInt() != 1 || !root.path("outputs").isArray()) {
            throw new IllegalArgumentException("is not a version 1 manifest");
        }
        List<Entry> out = new ArrayList<>();
        for (JsonNode o : root.path("outputs")) {
            if (!o.path("path").isTextual() || !o.path("kind").isTextual()) {
                throw new IllegalArgumentException("has an output without path or kind");
            }
            out.add(new Entry(o.path("path").asText(), o.path("kind").asText(), o.path("created").asBoolean(),
                    strings(o.path("entries")), strings(o.path("carried"))));
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /**
     * Writes both manifests: entries under /run to the one in /run, the others to the one in /var.
     * A manifest with nothing to list is written only if there is one to empty.
     */
    public void write(TargetRoot root) throws IOException {
        Map<String, List<Entry>> byFile = new LinkedHashMap<>();
        byFile.put(RUN, new ArrayList<>());
        byFile.put(PERSISTENT, new ArrayList<>());
        for (Entry e : entries) {
            byFile.get(e.path().startsWith("/run/") ? RUN : PERSISTENT).add(e);
        }
        for (Map.Entry<String, List<Entry>> file : byFile.entrySet()) {
            if (file.getValue().isEmpty() && !root.exists(file.getKey())) {
                continue;
            }
            root.ensureDirectory(Paths.parent(file.getKey()), 0, 0, 0700);
            root.write(file.getKey(), serialize(file.getValue()), 0, 0, 0600);
        }
    }

    static byte[] serialize(List<Entry> entries) throws JsonProcessingException {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("version", 1);
        ArrayNode outputs = doc.putArray("outputs");
        for (Entry e : entries) {
            ObjectNode o = outputs.addObject();
            o.put("path", e.path());
            o.put("kind", e.kind());
            o.put("created", e.created());
            if (!e.entries().isEmpty()) {
                e.entries().forEach(o.putArray("entries")::add);
            }
            if (!e.carried().isEmpty()) {
                e.carried().forEach(o.putArray("carried")::add);
            }
        }
        return JsonTree.writePretty(doc);
    }
}
