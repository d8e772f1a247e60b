package dev.bootsecrets.config;

import dev.bootsecrets.log.Log;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds the YAML documents in raw user-data: the whole of it, or the parts of a MIME
 * multipart, gzip-compressed or not. What bootsecrets does not read (scripts, boothooks,
 * anything else) is left to cloud-init with an info note, not an error.
 */
final class Documents {
    static final String CLOUD_CONFIG = "#cloud-config";
    static final String SECTION = "#bootsecrets-config";
    static final String ARCHIVE = "#cloud-config-archive";
    /** cloud-init renders such a document before reading it; bootsecrets renders nothing. */
    private static final Pattern JINJA = Pattern.compile("##\\s*template:\\s*jinja", Pattern.CASE_INSENSITIVE);
    /** Part types whose kind cloud-init, too, tells by the first line. */
    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9.+-]{1,40}/[a-z0-9.+-]{1,60}");
    private static final Set<String> UNTYPED = Set.of("", "text/plain", "text/x-not-multipart", "application/octet-stream");

    /**
     * One document.
     *
     * @param section whether it is the bootsecrets section on its own ({@code #bootsecrets-config}) or cloud-config
     * @param part    {@code part[N]} inside a multipart, or "" for user-data that is one document
     */
    record Document(boolean section, String text, String part) {}

    private Documents() {}

    /** @param budget what user-data may decode to, charged with the whole and every gzip part */
    static List<Document> find(byte[] raw, Budget budget) throws ConfigException {
        byte[] data;
        if (Gzip.is(raw)) {
            data = budget.inflate(raw, Origin.USER_DATA);
        } else {
            data = raw;
            budget.charge(raw.length, Origin.USER_DATA);
        }
        List<Document> out = new ArrayList<>();
        if (!MimeParts.isMime(data)) {
            if (firstLine(text(data)).equals(ARCHIVE)) {
                return archive(data);
            }
            single(data).ifPresent(out::add);
            return out;
        }
        List<MimeParts.Part> parts = MimeParts.parts(data);
        for (int i = 0; i < parts.size(); i++) {
            String name = "part[" + i + "]";
            byte[] body = parts.get(i).body();
            String type = parts.get(i).type();
            if (Gzip.is(body)) {
                type = ""; // what is inside is told by its first line, as cloud-init does
                body = budget.inflate(body, Origin.USER_DATA + ": " + name);
            }
            part(type, body, name).ifPresent(out::add);
        }
        return out;
    }

    private static Optional<Document> single(byte[] data) throws ConfigException {
        String text = text(data);
        String first = firstLine(text);
        if (first.equals(CLOUD_CONFIG) || first.equals(SECTION)) {
            return Optional.of(new Document(first.equals(SECTION), strict(data, Origin.USER_DATA), ""));
        }
        if (JINJA.matcher(first).matches()) {
            jinja(Origin.USER_DATA);
            return Optional.empty();
        }
        if (first.startsWith("#!")) {
            Log.info("user-data is a script; bootsecrets runs no scripts and ignores it");
            return Optional.empty();
        }
        Optional<String> credentials = SystemdCredentials.asSection(text);
        if (credentials.isPresent()) {
            strict(data, Origin.USER_DATA); // a credential's text must not lose bytes either
        }
        if (credentials.isEmpty()) {
            Log.info("user-data is not " + CLOUD_CONFIG + ", " + SECTION + " or MIME multipart; bootsecrets ignores it");
        }
        return credentials.map(section -> new Document(true, section, SystemdCredentials.KEY));
    }

    private static Optional<Document> part(String type, byte[] body, String name) throws ConfigException {
        String first = firstLine(text(body));
        if (first.equals(SECTION)) {
            return Optional.of(new Document(true, strict(body, Origin.USER_DATA + ": " + name), name));
        }
        if (type.equals("text/cloud-config") || (UNTYPED.contains(type) && first.equals(CLOUD_CONFIG))) {
            return Optional.of(new Document(false, strict(body, Origin.USER_DATA + ": " + name), name));
        }
        if (JINJA.matcher(first).matches()) {
            jinja(Origin.USER_DATA + " " + name);
            return Optional.empty();
        }
        // the type comes from user-data: shown only if it looks like one
        String shown = type.isEmpty() ? "no content type" : MEDIA_TYPE.matcher(type).matches() ? type : "an odd content type";
        Log.info("user-data " + name + " (" + shown + ") is not cloud-config or " + SECTION + "; bootsecrets ignores it");
        return Optional.empty();
    }

    private static void jinja(String what) {
        Log.warn(what + " is a jinja template (## template: jinja); bootsecrets renders no templates and ignores it,"
                + " its write_files and ssh_authorized_keys too");
    }

    /**
     * A {@code #cloud-config-archive}: a YAML list of parts, each a string or a mapping with
     * {@code content} and {@code type}, told apart as a MIME part is. (cloud-init takes a part
     * with neither a type nor a header line for cloud-config; here it is ignored, with a note.)
     */
    private static List<Document> archive(byte[] data) throws ConfigException {
        List<Document> out = new ArrayList<>();
        Object entries = Yaml.load(strict(data, Origin.USER_DATA), Origin.USER_DATA);
        List<?> list = entries instanceof List<?> l ? l : List.of();
        for (int i = 0; i < list.size(); i++) {
            Map<?, ?> entry = list.get(i) instanceof String text ? Map.of("content", text) : list.get(i) instanceof Map<?, ?> m ? m : Map.of();
            String name = "part[" + i + "]";
            String type = entry.get("type") instanceof String t ? t.strip().toLowerCase(Locale.ROOT) : "";
            if (!(entry.get("content") instanceof String text)) {
                Log.info("user-data " + name + " of " + ARCHIVE + " has no text content; bootsecrets ignores it");
                continue;
            }
            part(type, text.getBytes(StandardCharsets.UTF_8), name).ifPresent(out::add);
        }
        return out;
    }

    /** Leniently decoded, only to tell what kind of document it is. */
    private static String text(byte[] data) {
        return withoutBom(new String(data, StandardCharsets.UTF_8));
    }

    /** A document that is read: every byte must be UTF-8. */
    private static String strict(byte[] data, String what) throws ConfigException {
        return withoutBom(Utf8.decode(data, what));
    }

    private static String withoutBom(String text) {
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip();
    }
}
