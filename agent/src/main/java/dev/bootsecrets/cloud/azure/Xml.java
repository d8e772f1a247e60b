package dev.bootsecrets.cloud.azure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A small XML reader for the two documents the agent reads (Azure's goal state and the
 * provisioning media's ovf-env.xml): elements and their text, nothing else. A DOCTYPE is refused
 * outright, so no entity but the five predefined ones and character references is ever
 * expanded and nothing outside the document is read; attributes are checked for form and
 * dropped; elements are matched by local name, in any namespace. (java.xml's DOM parser did this
 * before, and took 3 MB of the native image's code for two small documents.)
 */
final class Xml {
    /** Deeper than either document needs by far; bounds the recursion. */
    private static final int MAX_DEPTH = 64;

    /** An element: its local name, its text content (its own and its descendants'), its child elements. */
    record Element(String name, String text, List<Element> children) {}

    private final String in;
    private final String what;
    private int at;

    private Xml(String in, String what) {
        this.in = in;
        this.what = what;
    }

    /** @throws IOException naming {@code what} (never quoting the document) when it is not well-formed */
    static Element parse(byte[] xml, String what) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(xml)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(what + ": not UTF-8");
        }
        Xml reader = new Xml(text, what);
        reader.skip("\uFEFF");
        reader.misc();
        Element root = reader.element(0);
        reader.misc();
        if (reader.at != text.length()) {
            throw reader.malformed();
        }
        return root;
    }

    /** The text of the element reached by child names (local names) from {@code from}. */
    static Optional<String> text(Element from, String... path) {
        Element at = from;
        for (String name : path) {
            at = at.children().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
            if (at == null) {
                return Optional.empty();
            }
        }
        return Optional.of(at.text().strip());
    }

    /** The text of the first element named {@code localName} anywhere under (or at) {@code from}, in document order. */
    static Optional<String> anywhere(Element from, String localName) {
        if (from.name().equals(localName)) {
            return Optional.of(from.text().strip());
        }
        for (Element child : from.children()) {
            Optional<String> found = anywhere(child, localName);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** Whitespace, comments and processing instructions (the XML declaration among them) outside the root. */
    private void misc() throws IOException {
        while (true) {
            while (at < in.length() && isSpace(in.charAt(at))) {
                at++;
            }
            if (!skipMarkup()) {
                return;
            }
        }
    }

    /** Skips a comment or processing instruction at the cursor; refuses a DOCTYPE or any other declaration. */
    private boolean skipMarkup() throws IOException {
        if (skip("<!--")) {
            to("-->");
            return true;
        }
        if (skip("<?")) {
            to("?>");
            return true;
        }
        if (in.startsWith("<!", at) && !in.startsWith("<![CDATA[", at)) {
            throw malformed();
        }
        return false;
    }

    private Element element(int depth) throws IOException {
        if (depth > MAX_DEPTH || !skip("<")) {
            throw malformed();
        }
        String name = name();
        while (true) {
            boolean spaced = spaces();
            if (skip("/>")) {
                return new Element(local(name), "", List.of());
            }
            if (skip(">")) {
                break;
            }
            if (!spaced) {
                throw malformed();
            }
            attribute();
        }
        StringBuilder text = new StringBuilder();
        List<Element> children = new ArrayList<>();
        while (true) {
            if (at >= in.length()) {
                throw malformed();
            }
            if (skip("</")) {
                if (!name().equals(name)) {
                    throw malformed();
                }
                spaces();
                if (!skip(">")) {
                    throw malformed();
                }
                return new Element(local(name), text.toString(), List.copyOf(children));
            }
            if (skip("<![CDATA[")) {
                int start = at;
                text.append(in, start, to("]]>"));
            } else if (skipMarkup()) {
                continue;
            } else if (in.charAt(at) == '<') {
                Element child = element(depth + 1);
                children.add(child);
                text.append(child.text());
            } else if (in.charAt(at) == '&') {
                text.append(reference());
            } else {
                text.append(in.charAt(at++));
            }
        }
    }

    /** A name=value pair, checked and dropped. */
    private void attribute() throws IOException {
        name();
        spaces();
        if (!skip("=")) {
            throw malformed();
        }
        spaces();
        char quote = at < in.length() ? in.charAt(at) : 0;
        if (quote != '"' && quote != '\'') {
            throw malformed();
        }
        int end = in.indexOf(quote, at + 1);
        if (end < 0 || in.substring(at + 1, end).indexOf('<') >= 0) {
            throw malformed();
        }
        at = end + 1;
    }

    private String name() throws IOException {
        int start = at;
        while (at < in.length() && !isSpace(in.charAt(at)) && "/>=<&\"'".indexOf(in.charAt(at)) < 0) {
            at++;
        }
        if (at == start) {
            throw malformed();
        }
        return in.substring(start, at);
    }

    /** One of the five predefined entities or a character reference; anything else is refused. */
    private String reference() throws IOException {
        int end = in.indexOf(';', at);
        if (end < 0 || end - at > 12) {
            throw malformed();
        }
        String name = in.substring(at + 1, end);
        at = end + 1;
        switch (name) {
            case "lt": return "<";
            case "gt": return ">";
            case "amp": return "&";
            case "quot": return "\"";
            case "apos": return "'";
            default: break;
        }
        int code = -1;
        try {
            if (name.startsWith("#x")) {
                code = Integer.parseInt(name.substring(2), 16);
            } else if (name.startsWith("#")) {
                code = Integer.parseInt(name.substring(1));
            }
        } catch (NumberFormatException e) {
            // not a number: malformed, below
        }
        // What XML allows a document to hold: no controls but tab, newline and return, no surrogates.
        boolean allowed = code == '\t' || code == '\n' || code == '\r' || (code >= 0x20 && code <= 0xD7FF)
                || (code >= 0xE000 && code <= 0xFFFD) || (code >= 0x10000 && code <= 0x10FFFF);
        if (!allowed) {
            throw malformed();
        }
        return Character.toString(code);
    }

    private static String local(String name) {
        return name.substring(name.indexOf(':') + 1);
    }

    private boolean spaces() {
        int start = at;
        while (at < in.length() && isSpace(in.charAt(at))) {
            at++;
        }
        return at > start;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private boolean skip(String token) {
        if (in.startsWith(token, at)) {
            at += token.length();
            return true;
        }
        return false;
    }

    /** Moves past the next {@code token}; returns where it began. */
    private int to(String token) throws IOException {
        int end = in.indexOf(token, at);
        if (end < 0) {
            throw malformed();
        }
        at = end + token.length();
        return end;
    }

    private IOException malformed() {
        return new IOException(what + ": not well-formed XML (or it has a DOCTYPE, which is refused)");
    }
}
