package dev.bootsecrets.secret;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The safety net behind {@link Secret}: every secret value this process has seen is
 * remembered, and every line the agent prints or records passes through {@link #scrub(String)}.
 * Code must not rely on it (values never belong in messages in the first place); it
 * catches the mistake a reviewer missed, such as a server echoing a token in an error.
 * Every value is masked whatever its length: one of {@value #ANYWHERE} characters or more
 * wherever it occurs, a shorter one where it stands as a word of its own (not inside a
 * longer word, so a secret "42" does not mangle "1420"; it does mask a lone "42").
 */
public final class Redaction {
    /** Values at least this long are masked even inside longer words. */
    static final int ANYWHERE = 4;
    public static final String MASK = "<redacted>";

    private static final List<String> known = new ArrayList<>();
    private static final List<Pattern> shortWords = new ArrayList<>();

    private Redaction() {}

    static synchronized void register(byte[] value) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            return; // binary (a key): no line of text holds it, and its pieces would mask words at random
        }
        boolean oneLine = text.strip().indexOf('\n') < 0;
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            // A short line of a longer value is no secret of its own: masking it would mangle words.
            if (trimmed.isEmpty() || known.contains(trimmed) || (trimmed.length() < ANYWHERE && !oneLine)) {
                continue;
            }
            known.add(trimmed);
            if (trimmed.length() < ANYWHERE) {
                shortWords.add(Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(trimmed) + "(?![\\p{L}\\p{N}])"));
            }
        }
        // Longest first: a value that contains another is masked whole, not in pieces.
        known.sort(Comparator.comparingInt(String::length).reversed());
    }

    /**
     * Starts a command's set of values afresh. One process is one command at boot; where one
     * process runs several in turn (the tests), a short value of an earlier one would mask
     * words in every later one's messages.
     */
    public static synchronized void forget() {
        known.clear();
        shortWords.clear();
    }

    /** The text with every known secret value replaced by {@link #MASK}. */
    public static synchronized String scrub(String text) {
        if (text == null || known.isEmpty()) {
            return text;
        }
        String out = text;
        for (String value : known) {
            if (value.length() >= ANYWHERE && out.contains(value)) {
                out = out.replace(value, MASK);
            }
        }
        for (Pattern word : shortWords) {
            out = word.matcher(out).replaceAll(Matcher.quoteReplacement(MASK));
        }
        return out;
    }
}
