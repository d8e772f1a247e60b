package dev.bootsecrets.config;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Text that must be UTF-8 (YAML and JSON documents), decoded strictly: a byte that is not
 * UTF-8 is an error naming its line and column, never silently a U+FFFD in a written file.
 */
final class Utf8 {
    static final String BINARY_HINT = "to send binary content use write_files encoding: b64 or gzip, or a !!binary value";

    private Utf8() {}

    /** @param what names the document in errors: {@code user-data}, {@code user-data: part[1]}, a path */
    static String decode(byte[] data, String what) throws ConfigException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(data);
        CharBuffer out = CharBuffer.allocate(data.length);
        var result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new ConfigException(what + ": " + at(out.flip()) + "not valid UTF-8; " + BINARY_HINT);
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /** The position just after {@code decoded}, the text before the first bad byte. */
    private static String at(CharSequence decoded) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < decoded.length(); i++) {
            if (decoded.charAt(i) == '\n') {
                line++;
                column = 1;
            } else if (!Character.isLowSurrogate(decoded.charAt(i))) {
                column++;
            }
        }
        return "line " + line + ", column " + column + ": ";
    }
}
