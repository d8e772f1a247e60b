package dev.bootsecrets.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.plan.Content;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One containers-auth.json as bootsecrets keeps it, merged at apply time into what the file
 * holds then: its own logins set, the ones it wrote before and no longer declares taken out,
 * copies of lower files' entries refreshed, every other entry left as it is. A file that is not
 * a containers-auth.json object is reported and left alone. Its content is secret: it is built
 * from and into {@link Secret}s and never logged.
 *
 * @param logins  by registry key, the JSON of its {@code auths} entry
 * @param helpers by registry key, the credential helper for {@code credHelpers}
 * @param drop    entries ({@code auths/KEY}, {@code credHelpers/KEY}) to take out first: what
 *                bootsecrets wrote or carried before
 * @param carried a containers-auth.json whose entries are copied in (those of lower files)
 */
record AuthFile(Map<String, Secret> logins, Map<String, String> helpers, Set<String> drop, Optional<Secret> carried)
        implements Content.Merger {
    static final String AUTHS = "auths";
    static final String HELPERS = "credHelpers";

    /** The entry names of a parsed file, as the manifest lists them. */
    static Set<String> entries(ObjectNode file) {
        Set<String> out = new TreeSet<>();
        for (String section : List.of(AUTHS, HELPERS)) {
            file.path(section).fieldNames().forEachRemaining(key -> out.add(section + "/" + key));
        }
        return out;
    }

    /**
     * A containers-auth.json's top level, checked: an object whose {@code auths} and
     * {@code credHelpers}, where present, are objects.
     *
     * @throws IllegalArgumentException naming what is wrong, never showing content
     */
    static ObjectNode parse(byte[] bytes) {
        JsonNode root;
        try {
            root = JsonTree.read(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("is not a JSON object");
        }
        for (String section : List.of(AUTHS, HELPERS)) {
            if (root.has(section) && !root.get(section).isObject()) {
                throw new IllegalArgumentException("has a " + section + " that is not a JSON object");
            }
        }
        return (ObjectNode) root;
    }

    /** {@code {"auth": base64(username:password)}}, as a secret. */
    static Secret passwordLogin(String username, Secret password) {
        byte[] user = (username + ":").getBytes(StandardCharsets.UTF_8);
        byte[] pass = password.bytes();
        byte[] both = Arrays.copyOf(user, user.length + pass.length);
        System.arraycopy(pass, 0, both, user.length, pass.length);
        ObjectNode entry = JsonNodeFactory.instance.objectNode().put("auth", Base64.getEncoder().encodeToString(both));
        Secret.wipe(pass);
        Secret.wipe(both);
        return json(entry);
    }

    /**
     * {@code {"auth": base64(username:), "identitytoken": TOKEN}}: containers/image uses an
     * identity token only when the entry also has an auth field it can split at ':'.
     */
    static Secret tokenLogin(String username, String token) {
        String auth = Base64.getEncoder().encodeToString((username + ":").getBytes(StandardCharsets.UTF_8));
        return json(JsonNodeFactory.instance.objectNode().put("auth", auth).put("identitytoken", token));
    }

    private static Secret json(JsonNode node) {
        try {
            byte[] bytes = JsonTree.write(node);
            Secret out = Secret.of(bytes);
            Secret.wipe(bytes);
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize an auth entry", e);
        }
    }

    @Override
    public byte[] merge(Optional<byte[]> existing) {
        ObjectNode file;
        try {
            file = existing.isPresent() ? parse(existing.get()) : JsonNodeFactory.instance.objectNode();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage() + " (containers-auth.json); left as it is");
        }
        ObjectNode auths = section(file, AUTHS);
        ObjectNode helperSection = section(file, HELPERS);
        for (String entry : drop) {
            int slash = entry.indexOf('/');
            ObjectNode from = entry.substring(0, slash).equals(AUTHS) ? auths : helperSection;
            from.remove(entry.substring(slash + 1));
        }
        if (carried.isPresent()) {
            ObjectNode lower = parse(carried.get().bytes());
            lower.path(AUTHS).properties().forEach(e -> auths.set(e.getKey(), e.getValue()));
            lower.path(HELPERS).properties().forEach(e -> helperSection.set(e.getKey(), e.getValue()));
        }
        logins.forEach((key, login) -> auths.set(key, parse(login.bytes())));
        helpers.forEach(helperSection::put);
        if (helperSection.isEmpty()) {
            file.remove(HELPERS);
        }
        try {
            byte[] text = JsonTree.writePretty(file);
            byte[] out = Arrays.copyOf(text, text.length + 1);
            out[text.length] = '\n';
            Secret.wipe(text);
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize containers-auth.json");
        }
    }

    /** The file's object for {@code name}, added when missing. */
    private static ObjectNode section(ObjectNode file, String name) {
        return file.has(name) ? (ObjectNode) file.get(name) : file.putObject(name);
    }

    /** Merged entries of lower files (first wins), as one containers-auth.json, and their names. */
    record Lower(Optional<Secret> json, Set<String> entries) {
        static Lower of(List<ObjectNode> files) {
            ObjectNode merged = JsonNodeFactory.instance.objectNode();
            ObjectNode auths = merged.putObject(AUTHS);
            ObjectNode helpers = merged.putObject(HELPERS);
            List<ObjectNode> lowestFirst = new ArrayList<>(files);
            Collections.reverse(lowestFirst);
            for (ObjectNode f : lowestFirst) {
                f.path(AUTHS).properties().forEach(e -> auths.set(e.getKey(), e.getValue()));
                f.path(HELPERS).properties().forEach(e -> helpers.set(e.getKey(), e.getValue()));
            }
            Set<String> names = AuthFile.entries(merged);
            return new Lower(names.isEmpty() ? Optional.empty() : Optional.of(AuthFile.json(merged)), names);
        }
    }
}
