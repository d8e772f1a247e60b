package dev.bootsecrets.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough MIME to read multipart user-data as cloud-init's tools write it: headers,
 * (nested) multipart bodies, base64 and quoted-printable parts. The message is handled as
 * ISO-8859-1 text, which maps every byte to one char and back unchanged.
 */
final class MimeParts {
    static final int MAX_PARTS = 100;
    static final int MAX_NESTING = 4;

    private static final Pattern BOUNDARY = Pattern.compile("(?i);\\s*boundary\\s*=\\s*(?:\"([^\"]*)\"|([^;\\s]+))");

    /** A leaf part: its media type (lower case, no parameters; "" if none) and decoded body. */
    record Part(String type, byte[] body) {}

    private final List<Part> parts = new ArrayList<>();

    private MimeParts() {}

    /** Whether user-data is a MIME message rather than a document of its own. */
    static boolean isMime(byte[] data) {
        String start = new String(data, 0, Math.min(data.length, 16), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        return start.startsWith("content-type:") || start.startsWith("mime-version:");
    }

    /** The message's leaf parts in order, nested multiparts flattened. */
    static List<Part> parts(byte[] message) throws ConfigException {
        MimeParts reader = new MimeParts();
        String text = new String(message, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
        reader.entity(List.of(text.split("\n", -1)), 0);
        return reader.parts;
    }

    /** One entity: headers, an empty line, a body. */
    private void entity(List<String> lines, int depth) throws ConfigException {
        Map<String, String> headers = new HashMap<>();
        int i = 0;
        String last = null;
        for (; i < lines.size() && !lines.get(i).isEmpty(); i++) {
            String line = lines.get(i);
            if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
                headers.merge(last, " " + line.strip(), String::concat); // a folded header goes on
            } else if (line.indexOf(':') > 0) {
                last = line.substring(0, line.indexOf(':')).strip().toLowerCase(Locale.ROOT);
                headers.put(last, line.substring(line.indexOf(':') + 1).strip());
            }
        }
        List<String> body = lines.subList(Math.min(i + 1, lines.size()), lines.size());
        String contentType = headers.getOrDefault("content-type", "");
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (type.startsWith("multipart/")) {
            multipart(contentType, body, depth);
            return;
        }
        if (parts.size() >= MAX_PARTS) {
            throw new ConfigException(Origin.USER_DATA + ": more than " + MAX_PARTS + " MIME parts");
        }
        String encoding = headers.getOrDefault("content-transfer-encoding", "").toLowerCase(Locale.ROOT);
        parts.add(new Part(type, decode(String.join("\n", body), encoding)));
    }

    private void multipart(String contentType, List<String> body, int depth) throws ConfigException {
        Matcher m = BOUNDARY.matcher(contentType);
        if (!m.find()) {
            throw new ConfigException(Origin.USER_DATA + ": a multipart MIME entity without a boundary");
        }
        if (depth >= MAX_NESTING) {
            throw new ConfigException(Origin.USER_DATA + ": MIME multiparts nested deeper than " + MAX_NESTING);
        }
        String delimiter = "--" + (m.group(1) != null ? m.group(1) : m.group(2));
        int start = -1; // the line after the last delimiter; the preamble before the first is skipped
        for (int i = 0; i < body.size(); i++) {
            String line = body.get(i).stripTrailing();
            boolean close = line.equals(delimiter + "--");
            if (close || line.equals(delimiter)) {
                if (start >= 0) {
                    entity(body.subList(start, i), depth + 1);
                }
                if (close) {
                    return;
                }
                start = i + 1;
            }
        }
        if (start >= 0) {
            entity(body.subList(start, body.size()), depth + 1); // no closing delimiter: take what is there
        }
    }

    private static byte[] decode(String body, String encoding) throws ConfigException {
        return switch (encoding) {
            case "base64" -> {
                try {
                    yield Base64.getMimeDecoder().decode(body.getBytes(StandardCharsets.ISO_8859_1));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(Origin.USER_DATA + ": a MIME part is not valid base64");
                }
            }
            case "quoted-printable" -> quotedPrintable(body);
            default -> body.getBytes(StandardCharsets.ISO_8859_1);
        };
    }

    private static byte[] quotedPrintable(String body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '=' && i + 1 < body.length() && body.charAt(i + 1) == '\n') {
                i++; // a soft line break
            } else if (c == '=' && i + 2 < body.length() && hex(body.charAt(i + 1)) >= 0 && hex(body.charAt(i + 2)) >= 0) {
                out.write(hex(body.charAt(i + 1)) * 16 + hex(body.charAt(i + 2)));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
