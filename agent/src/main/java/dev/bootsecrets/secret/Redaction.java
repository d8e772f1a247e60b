package dev.bootsecrets.secret;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The safety net behind {@link Secret}: every secret value this process has seen is
 * remembered, and every line the agent prints passes through {@link #scrub(String)}.
 * Code must not rely on it (values never belong in messages in the first place); it
 * catches the mistake a reviewer missed, such as a server echoing a token in an error.
 */
public final class Redaction {
    /** Shorter values would match ordinary words and mangle every log line. */
    static final int MIN_LENGTH = 8;
    public static final String MASK = "<redacted>";

    private static final List<String> known = new ArrayList<>();

    private Redaction() {}

    static synchronized void register(byte[] value) {
        if (value.length < MIN_LENGTH) {
            return;
        }
        String text = new String(value, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.length() >= MIN_LENGTH && !known.contains(trimmed)) {
                known.add(trimmed);
            }
        }
    }

    /** The text with every known secret value replaced by {@link #MASK}. */
    public static synchronized String scrub(String text) {
        if (text == null || known.isEmpty()) {
            return text;
        }
        String out = text;
        for (String value : known) {
            if (out.contains(value)) {
                out = out.replace(value, MASK);
            }
        }
        return out;
    }
}
