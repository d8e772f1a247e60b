package dev.bootsecrets.output;

import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * systemd's host key for credentials, /var/lib/systemd/credential.secret: 16 bytes that bind
 * it to the machine-id, then the key material (4096 random bytes). systemd derives the AES key
 * of every host-key credential from the material, and throws away a key file whose binding is
 * not this machine-id's (with the credentials made with it).
 */
public record HostKey(Secret material) {
    public static final String PATH = "/var/lib/systemd/credential.secret";
    public static final String MACHINE_ID = "/etc/machine-id";
    /** The id systemd hashes the machine-id with to bind the key file (its credential_app_id). */
    static final byte[] APP_ID = HexFormat.of().parseHex("d3acecba0dad4cdfb8c9381528936c58");
    static final int BINDING = 16;
    static final int MATERIAL = 4096;
    /** systemd refuses larger key files. */
    static final int MAX_FILE = 16 << 20;

    /** The AES-256 key: SHA-256 of the material. The caller wipes it. */
    byte[] aesKey() {
        byte[] m = material.bytes();
        try {
            return MessageDigest.getInstance("SHA-256").digest(m);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        } finally {
            Secret.wipe(m);
        }
    }

    /**
     * The machine-id of the target root as 16 bytes; empty while it is not set (missing, empty
     * or "uninitialized", as on a first boot before systemd commits it).
     */
    public static Optional<byte[]> machineId(TargetRoot root) throws IOException {
        Optional<byte[]> raw = root.read(MACHINE_ID, 128);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        String text = new String(raw.get(), StandardCharsets.US_ASCII).strip();
        if (!text.matches("[0-9a-f]{32}") || text.equals("0".repeat(32))) {
            return Optional.empty();
        }
        return Optional.of(HexFormat.of().parseHex(text));
    }

    /**
     * How the key file names its machine: the machine-id hashed with {@link #APP_ID}
     * (HMAC-SHA256 keyed by the machine-id, first 16 bytes, marked as a version 4 UUID), as
     * systemd's sd_id128_get_machine_app_specific() does.
     */
    static byte[] binding(byte[] machineId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(machineId, "HmacSHA256"));
            byte[] id = Arrays.copyOf(mac.doFinal(APP_ID), BINDING);
            id[6] = (byte) ((id[6] & 0x0f) | 0x40);
            id[8] = (byte) ((id[8] & 0x3f) | 0x80);
            return id;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /**
     * The key in the target root's key file; empty when there is none, or when it belongs to
     * another machine-id (systemd would discard it).
     */
    public static Optional<HostKey> load(TargetRoot root, byte[] machineId) throws IOException {
        Optional<byte[]> file = root.read(PATH, MAX_FILE);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = file.get();
        try {
            if (bytes.length <= BINDING) {
                throw new IOException(PATH + " is too short to be a credential key");
            }
            if (!MessageDigest.isEqual(Arrays.copyOf(bytes, BINDING), binding(machineId))) {
                return Optional.empty();
            }
            byte[] material = Arrays.copyOfRange(bytes, BINDING, bytes.length);
            HostKey key = new HostKey(Secret.of(material));
            Secret.wipe(material);
            return Optional.of(key);
        } finally {
            Secret.wipe(bytes);
        }
    }

    /** A new key file for this machine-id, as {@code systemd-creds setup} makes one. */
    public static Secret newFile(byte[] machineId, SecureRandom random) {
        byte[] file = new byte[BINDING + MATERIAL];
        System.arraycopy(binding(machineId), 0, file, 0, BINDING);
        byte[] material = new byte[MATERIAL];
        random.nextBytes(material);
        System.arraycopy(material, 0, file, BINDING, MATERIAL);
        Secret out = Secret.of(file);
        Secret.wipe(material);
        Secret.wipe(file);
        return out;
    }

    /** The key in a key file's bytes (after the binding). */
    public static HostKey of(Secret file) {
        byte[] bytes = file.bytes();
        byte[] material = Arrays.copyOfRange(bytes, BINDING, bytes.length);
        HostKey key = new HostKey(Secret.of(material));
        Secret.wipe(bytes);
        Secret.wipe(material);
        return key;
    }
}
