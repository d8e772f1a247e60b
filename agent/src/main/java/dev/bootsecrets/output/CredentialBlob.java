package dev.bootsecrets.output;

import dev.bootsecrets.secret.Secret;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A systemd credential encrypted with the host key, byte for byte as {@code systemd-creds
 * encrypt --with-key=host} makes it, so that systemd 250 and later decrypt it for
 * {@code LoadCredentialEncrypted=} with no subprocess here. The format (systemd's
 * src/shared/creds-util.c), all integers little-endian:
 *
 * <pre>
 *   header, the AES-GCM additional data:
 *     16  key type id (host key: 5a1c6a86-df9d-4096-b1d5-a65e0862f19a)
 *      4  key size (32)   4  block size (1)   4  IV size (12)   4  tag size (16)
 *     12  IV, then zero bytes up to a multiple of 8 (48 bytes in all)
 *   AES-256-GCM ciphertext of:
 *      8  timestamp (microseconds since the epoch)   8  not-after (all ones: never)
 *      4  name size, the name (checked against the LoadCredentialEncrypted= name),
 *         zero bytes up to a multiple of 8, then the value
 *     16  GCM tag
 * </pre>
 *
 * The file holds the whole as base64. The AES key is SHA-256 of the host key's material.
 */
public final class CredentialBlob {
    static final byte[] HOST_KEY_ID = HexFormat.of().parseHex("5a1c6a86df9d4096b1d5a65e0862f19a");
    static final int KEY_SIZE = 32;
    static final int BLOCK_SIZE = 1;
    static final int IV_SIZE = 12;
    static final int TAG_SIZE = 16;
    static final int HEADER = align8(16 + 4 * 4 + IV_SIZE);
    static final long NEVER = -1L;

    private CredentialBlob() {}

    /** The base64 file content holding {@code value} as credential {@code name}. */
    public static byte[] encrypt(HostKey key, String name, Secret value, long timestampMicros, SecureRandom random) {
        byte[] iv = new byte[IV_SIZE];
        random.nextBytes(iv);
        ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        header.put(HOST_KEY_ID).putInt(KEY_SIZE).putInt(BLOCK_SIZE).putInt(IV_SIZE).putInt(TAG_SIZE).put(iv);

        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] secret = value.bytes();
        int metadata = align8(8 + 8 + 4 + nameBytes.length);
        ByteBuffer plain = ByteBuffer.allocate(metadata + secret.length).order(ByteOrder.LITTLE_ENDIAN);
        plain.putLong(timestampMicros).putLong(NEVER).putInt(nameBytes.length).put(nameBytes);
        plain.position(metadata);
        plain.put(secret);
        Secret.wipe(secret);

        byte[] aesKey = key.aesKey();
        byte[] sealed = null;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(TAG_SIZE * 8, iv));
            cipher.updateAAD(header.array());
            sealed = cipher.doFinal(plain.array()); // ciphertext, then the tag
            byte[] blob = Arrays.copyOf(header.array(), HEADER + sealed.length);
            System.arraycopy(sealed, 0, blob, HEADER, sealed.length);
            byte[] text = Base64.getEncoder().encode(blob);
            byte[] out = Arrays.copyOf(text, text.length + 1);
            out[text.length] = '\n';
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available", e);
        } finally {
            Secret.wipe(aesKey);
            Secret.wipe(plain.array());
        }
    }

    /**
     * The value of a host-key credential file, if it is one, is named {@code name} and opens
     * with {@code key}; empty for anything else (another key, another name, not this format).
     */
    public static Optional<Secret> decrypt(HostKey key, String name, byte[] file) {
        byte[] blob;
        try {
            blob = Base64.getMimeDecoder().decode(file);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (blob.length < HEADER + 8 + 8 + 4 + TAG_SIZE
                || !MessageDigest.isEqual(Arrays.copyOf(blob, 16), HOST_KEY_ID)
                || !Arrays.equals(Arrays.copyOfRange(blob, 16, 32), Arrays.copyOfRange(header(), 16, 32))) {
            return Optional.empty();
        }
        byte[] aesKey = key.aesKey();
        byte[] plain = null;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aesKey, "AES"),
                    new GCMParameterSpec(TAG_SIZE * 8, blob, 32, IV_SIZE));
            cipher.updateAAD(blob, 0, HEADER);
            plain = cipher.doFinal(blob, HEADER, blob.length - HEADER);
            ByteBuffer b = ByteBuffer.wrap(plain).order(ByteOrder.LITTLE_ENDIAN);
            b.position(16);
            int nameSize = b.getInt();
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            int metadata = align8(20 + Math.max(nameSize, 0));
            if (nameSize != nameBytes.length || metadata > plain.length
                    || !Arrays.equals(plain, 20, 20 + nameSize, nameBytes, 0, nameBytes.length)) {
                return Optional.empty();
            }
            byte[] value = Arrays.copyOfRange(plain, metadata, plain.length);
            Secret out = Secret.of(value);
            Secret.wipe(value);
            return Optional.of(out);
        } catch (GeneralSecurityException e) {
            return Optional.empty(); // another key, or not intact
        } finally {
            Secret.wipe(aesKey);
            Secret.wipe(plain);
        }
    }

    /** The fixed part of every header (id and sizes), to compare a file's against. */
    private static byte[] header() {
        return ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN)
                .put(HOST_KEY_ID).putInt(KEY_SIZE).putInt(BLOCK_SIZE).putInt(IV_SIZE).putInt(TAG_SIZE).array();
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }
}
