package dev.bootsecrets.store;

import dev.bootsecrets.secret.Secret;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One record file of the store: a clear header line naming the key generation that sealed it
 * and the record's version, then base64 of IV, AES-256-GCM ciphertext and tag. The additional
 * data binds the record to the store's id, its name and its version, so a record copied from
 * another store, moved to another name or put back from an older run fails its tag.
 *
 * <pre>
 *   bootsecrets-store 1 KEYGEN VERSION
 *   base64(12-byte IV || ciphertext || 16-byte tag)
 * </pre>
 */
final class RecordCipher {
    static final int KEY_SIZE = 32;
    private static final int IV_SIZE = 12;
    private static final int TAG_BITS = 128;
    private static final String MAGIC = "bootsecrets-store 1";
    private static final Pattern HEADER = Pattern.compile(MAGIC + " ([0-9]{1,9}) ([0-9]{1,18})");

    private RecordCipher() {}

    /** The clear header of a record file. */
    record Header(int keyGeneration, long version) {}

    /** The header of {@code file}; empty when it is not a record file. */
    static Optional<Header> header(byte[] file) {
        int end = indexOf(file, (byte) '\n');
        if (end < 0 || end > 64) {
            return Optional.empty();
        }
        Matcher m = HEADER.matcher(new String(file, 0, end, StandardCharsets.US_ASCII));
        return m.matches() ? Optional.of(new Header(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2))))
                : Optional.empty();
    }

    static byte[] seal(byte[] key, int keyGeneration, String storeId, String name, long version, byte[] plain,
            SecureRandom random) {
        byte[] iv = new byte[IV_SIZE];
        random.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad(storeId, name, version));
            byte[] sealed = cipher.doFinal(plain);
            byte[] body = Arrays.copyOf(iv, IV_SIZE + sealed.length);
            System.arraycopy(sealed, 0, body, IV_SIZE, sealed.length);
            String text = MAGIC + " " + keyGeneration + " " + version + "\n" + Base64.getEncoder().encodeToString(body)
                    + "\n";
            return text.getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available", e);
        }
    }

    /**
     * The plain text of record {@code file}, if it opens with {@code key} as record
     * {@code name} at {@code version} of store {@code storeId}; empty when the tag fails.
     * The caller wipes the result.
     */
    static Optional<byte[]> open(byte[] key, String storeId, String name, long version, byte[] file) {
        int end = indexOf(file, (byte) '\n');
        if (end < 0) {
            return Optional.empty();
        }
        byte[] body;
        try {
            body = Base64.getMimeDecoder().decode(Arrays.copyOfRange(file, end + 1, file.length));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (body.length < IV_SIZE + TAG_BITS / 8) {
            return Optional.empty();
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, body, 0, IV_SIZE));
            cipher.updateAAD(aad(storeId, name, version));
            return Optional.of(cipher.doFinal(body, IV_SIZE, body.length - IV_SIZE));
        } catch (javax.crypto.AEADBadTagException e) {
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available", e);
        }
    }

    /** A value record's plain text: when it was fetched, from which source, then the value. */
    static byte[] valuePlain(long fetchedMillis, String source, Secret value) {
        byte[] src = source.getBytes(StandardCharsets.UTF_8);
        byte[] v = value.bytes();
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + src.length + v.length);
        b.putLong(fetchedMillis).putInt(src.length).put(src).put(v);
        Secret.wipe(v);
        return b.array();
    }

    /** A value record's parts; empty when the plain text is not one (it opened, so this is our own bug or an old format). */
    static Optional<StoredValue> value(String name, byte[] plain) {
        ByteBuffer b = ByteBuffer.wrap(plain);
        if (plain.length < 12) {
            return Optional.empty();
        }
        long fetched = b.getLong();
        int n = b.getInt();
        if (n < 0 || n > plain.length - 12) {
            return Optional.empty();
        }
        String source = new String(plain, 12, n, StandardCharsets.UTF_8);
        byte[] v = Arrays.copyOfRange(plain, 12 + n, plain.length);
        StoredValue out = new StoredValue(name, Secret.of(v), java.time.Instant.ofEpochMilli(fetched), source);
        Secret.wipe(v);
        return Optional.of(out);
    }

    private static byte[] aad(String storeId, String name, long version) {
        return (MAGIC + "\0" + storeId + "\0" + name + "\0" + version).getBytes(StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
