package dev.bootsecrets.store;

import dev.bootsecrets.config.Declarations.Encryption;
import dev.bootsecrets.config.Offline.KeySealing;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.output.CredentialBlob;
import dev.bootsecrets.output.HostKey;
import dev.bootsecrets.output.SystemdCreds;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * How the store key is kept on disk, by the file's suffix: sealed to the TPM2 and the host key
 * by {@code systemd-creds} (a copied disk cannot open it), encrypted with systemd's host key
 * as a host-key credential (the host key's file is on the same disk: this guards against
 * reading the store alone, not against a copy of the whole disk), or plain where the image
 * asks for it ({@code offline.key: file}).
 */
sealed interface KeySeal {
    /** The credential name the key is sealed under (checked when it is opened). */
    String NAME = "bootsecrets-store-key";

    String suffix();

    /** The key file's content. */
    byte[] seal(Secret key) throws IOException;

    /** The key in a key file's content; empty when this machine cannot open it. */
    Optional<Secret> unseal(byte[] file) throws IOException;

    /** Every kind, to find a key file by its suffix. */
    static List<KeySeal> all(TargetRoot root) {
        return List.of(new Tpm2(SystemdCreds.DEFAULT), new Host(root), new Plain());
    }

    /**
     * The kind a new key is sealed with: a plain file if the image asks; else the TPM2 when
     * the target root is this machine's and it has one; else the host key.
     */
    static KeySeal choose(TargetRoot root, KeySealing sealing) {
        if (sealing == KeySealing.FILE) {
            return new Plain();
        }
        if (root.root().equals(Path.of("/")) && Files.exists(Path.of("/dev/tpmrm0"))
                && Files.isExecutable(SystemdCreds.DEFAULT.executable())) {
            return new Tpm2(SystemdCreds.DEFAULT);
        }
        return new Host(root);
    }

    /** {@code systemd-creds encrypt --with-key=host+tpm2}, value on stdin. */
    record Tpm2(SystemdCreds creds) implements KeySeal {
        public String suffix() {
            return "tpm2";
        }

        public byte[] seal(Secret key) throws IOException {
            return creds.encrypt(NAME, Encryption.HOST_TPM2, key);
        }

        public Optional<Secret> unseal(byte[] file) throws IOException {
            return creds.decrypt(NAME, file);
        }
    }

    /** A host-key credential (output/CredentialBlob), the host key made if there is none. */
    record Host(TargetRoot root) implements KeySeal {
        public String suffix() {
            return "host";
        }

        public byte[] seal(Secret key) throws IOException {
            return CredentialBlob.encrypt(hostKey(true), NAME, key, ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()),
                    new SecureRandom());
        }

        public Optional<Secret> unseal(byte[] file) throws IOException {
            return CredentialBlob.decrypt(hostKey(false), NAME, file);
        }

        /** The target root's host key; made, as {@code systemd-creds setup} would, when sealing and there is none. */
        private HostKey hostKey(boolean make) throws IOException {
            Optional<byte[]> machineId = HostKey.machineId(root);
            if (machineId.isEmpty()) {
                throw new IOException(HostKey.MACHINE_ID + " is not set: there is no host key to seal the store key with");
            }
            Optional<HostKey> key = HostKey.load(root, machineId.get());
            if (key.isPresent()) {
                return key.get();
            }
            if (!make) {
                throw new IOException(HostKey.PATH + " is missing or belongs to another machine-id: the store key cannot be opened");
            }
            Secret file = HostKey.newFile(machineId.get(), new SecureRandom());
            byte[] bytes = file.bytes();
            try {
                root.createParents(HostKey.PATH);
                root.write(HostKey.PATH, bytes, 0, 0, 0400);
            } finally {
                Secret.wipe(bytes);
            }
            return HostKey.of(file);
        }
    }

    /** The 32 bytes as they are, in a root 0400 file. */
    record Plain() implements KeySeal {
        public String suffix() {
            return "plain";
        }

        public byte[] seal(Secret key) {
            return key.bytes();
        }

        public Optional<Secret> unseal(byte[] file) {
            return file.length == RecordCipher.KEY_SIZE ? Optional.of(Secret.of(file)) : Optional.empty();
        }
    }
}
