package dev.bootsecrets.secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * A secret value: bytes that never show themselves. toString, logs, exceptions and the
 * status file see only {@link #toString()}'s redacted form; code that must write the value
 * asks for {@link #bytes()} (a copy) and wipes that copy when done.
 */
public final class Secret {
    private final byte[] value;

    private Secret(byte[] value) {
        this.value = value;
        Redaction.register(value);
    }

    /** Takes a copy of {@code value}; the caller may wipe its own array afterwards. */
    public static Secret of(byte[] value) {
        return new Secret(value.clone());
    }

    public static Secret ofUtf8(String value) {
        return new Secret(value.getBytes(StandardCharsets.UTF_8));
    }

    public static Secret empty() {
        return new Secret(new byte[0]);
    }

    /**
     * Decodes base64 text (line breaks and spaces allowed, as in PEM or YAML block scalars).
     *
     * @throws IllegalArgumentException on anything else; the message holds no input
     */
    public static Secret decodeBase64(Secret text) {
        byte[] raw = text.value;
        byte[] compact = new byte[raw.length];
        int n = 0;
        for (byte b : raw) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                compact[n++] = b;
            }
        }
        byte[] exact = Arrays.copyOf(compact, n);
        byte[] decoded = null;
        try {
            decoded = Base64.getDecoder().decode(exact);
            return new Secret(decoded.clone());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not valid base64");
        } finally {
            wipe(compact);
            wipe(exact);
            wipe(decoded);
        }
    }

    /** A copy of the value; wipe it with {@link #wipe(byte[])} once written. */
    public byte[] bytes() {
        return value.clone();
    }

    /** The value as UTF-8 text, for the few places that must build text from it (auth.json, env files). */
    public String utf8() {
        return new String(value, StandardCharsets.UTF_8);
    }

    public int length() {
        return value.length;
    }

    public boolean isEmpty() {
        return value.length == 0;
    }

    /** Constant-time comparison, so a check of "unchanged" leaks nothing through timing. */
    public boolean sameValue(Secret other) {
        return MessageDigest.isEqual(value, other.value);
    }

    public static void wipe(byte[] buffer) {
        if (buffer != null) {
            Arrays.fill(buffer, (byte) 0);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && sameValue(s);
    }

    @Override
    public int hashCode() {
        return value.length; // deliberately weak: a hash of the value would be a leak of it
    }

    @Override
    public String toString() {
        return "<redacted " + value.length + " bytes>";
    }
}
