package dev.bootsecrets.secret;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The safety net behind {@link Secret}: every secret value this process has seen is
 * remembered, and every line the agent prints or records passes through {@link #scrub(String)}.
 * Code must not rely on it (values never belong in messages in the first place); it
 * catches the mistake a reviewer missed, such as a server echoing a token in an error.
 *
 * <p>A value of {@value #ANYWHERE} characters or more is masked wherever it occurs. A shorter
 * one is masked where it stands as a word of its own (not inside a longer word, so a secret
 * "42" does not mangle "1420"; it does mask a lone "42"), except inside the names the agent
 * composed itself and registered with {@link #name(String)}: the target root, the provider,
 * the paths, owners and sources of the plan. Those are built from config, never from a
 * value, and a three-letter value such as "gcp" must not turn the provider's name or a
 * directory into "&lt;redacted&gt;". Such short values cannot be masked safely at all; check
 * warns about them ({@link #tooShort(Secret)}) and docs/security.md says what that means.
 */
public final class Redaction {
    /** Values at least this long are masked even inside longer words. */
    static final int ANYWHERE = 4;
    public static final String MASK = "<redacted>";

    private static final List<String> known = new ArrayList<>();
    private static final List<String> shortValues = new ArrayList<>();
    /** Every short value as a word of its own, longest first; null when there is none. */
    private static Pattern shortWords;
    private static final Set<String> names = new HashSet<>();

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
                shortValues.add(trimmed);
            }
        }
        // Longest first: a value that contains another is masked whole, not in pieces.
        known.sort(Comparator.comparingInt(String::length).reversed());
        shortValues.sort(Comparator.comparingInt(String::length).reversed());
        shortWords = shortValues.isEmpty() ? null : Pattern.compile("(?<![\\p{L}\\p{N}])(?:"
                + String.join("|", shortValues.stream().map(Pattern::quote).toList()) + ")(?![\\p{L}\\p{N}])");
    }

    /**
     * Registers {@code composed} as a name the agent made itself (a path, a source, an owner,
     * the provider, the target root), in which short values are not masked; returns it.
     */
    public static synchronized String name(String composed) {
        if (composed != null && !composed.isEmpty()) {
            names.add(composed);
        }
        return composed;
    }

    /**
     * Whether {@code value} is too short for the net to mask everywhere: a one-line value of
     * fewer than {@value #ANYWHERE} characters, which is shown where the agent's own names
     * spell it and hides in ordinary words.
     */
    public static boolean tooShort(Secret value) {
        String text = value.utf8().strip();
        return !text.isEmpty() && text.indexOf('\n') < 0 && text.length() < ANYWHERE;
    }

    /**
     * Starts a command's set of values afresh. One process is one command at boot; where one
     * process runs several in turn (the tests), a short value of an earlier one would mask
     * words in every later one's messages.
     */
    public static synchronized void forget() {
        known.clear();
        shortValues.clear();
        shortWords = null;
        names.clear();
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
        return shortWords == null ? out : maskShortWords(out);
    }

    /** Masks each short value standing as a word, unless it lies inside a registered name. */
    private static String maskShortWords(String text) {
        Matcher word = shortWords.matcher(text);
        if (!word.find()) {
            return text;
        }
        boolean[] named = new boolean[text.length()];
        for (String name : names) {
            for (int at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
                Arrays.fill(named, at, at + name.length(), true);
            }
        }
        StringBuilder out = new StringBuilder(text.length());
        int done = 0;
        do {
            if (!inside(named, word.start(), word.end())) {
                out.append(text, done, word.start()).append(MASK);
                done = word.end();
            }
        } while (word.find());
        return out.append(text, done, text.length()).toString();
    }

    private static boolean inside(boolean[] named, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!named[i]) {
                return false;
            }
        }
        return true;
    }
}
