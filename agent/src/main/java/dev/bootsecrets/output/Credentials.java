package dev.bootsecrets.output;

import dev.bootsecrets.config.Declarations.CredentialDecl;
import dev.bootsecrets.config.Declarations.Encryption;
import dev.bootsecrets.config.Settings.UserDataPolicy;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.plan.Content;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.plan.FileIntent.DirIntent;
import dev.bootsecrets.plan.Manifest;
import dev.bootsecrets.plan.Ownership;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * systemd credentials: {@code /run/credstore/NAME} for {@code LoadCredential=NAME}, or
 * {@code /run/credstore.encrypted/NAME} for {@code LoadCredentialEncrypted=NAME}. Host-key
 * credentials are encrypted here ({@link CredentialBlob}); TPM2-bound ones by systemd-creds.
 */
final class Credentials {
    static final String PLAIN_DIR = "/run/credstore";
    static final String ENCRYPTED_DIR = "/run/credstore.encrypted";
    static final String KIND = "credential";
    static final int MODE = 0400;

    private final TargetRoot root;
    private final SystemdCreds systemdCreds;
    private final SecureRandom random;
    private final List<String> errors;
    private final List<String> warnings;
    private final List<FileIntent> intents = new ArrayList<>();
    /** The host key, once looked at: loaded, or made by this run (then written first). */
    private Optional<HostKey> hostKey;
    private Optional<String> newKeyFile = Optional.empty();

    private Credentials(TargetRoot root, SystemdCreds systemdCreds, List<String> errors, List<String> warnings) {
        this.root = root;
        this.systemdCreds = systemdCreds;
        this.random = new SecureRandom();
        this.errors = errors;
        this.warnings = warnings;
    }

    static List<FileIntent> plan(
            List<CredentialDecl> declared, Map<String, Secret> secrets, TargetRoot root,
            SystemdCreds systemdCreds, Map<String, Manifest.Entry> tracked, List<String> errors, List<String> warnings) {
        Credentials plan = new Credentials(root, systemdCreds, errors, warnings);
        for (CredentialDecl decl : declared) {
            Secret value = secrets.get(decl.secret());
            if (value == null) {
                continue; // the secret's own error is already reported
            }
            String field = decl.origin() + " (credentials." + decl.name() + ")";
            String dir = decl.encryption() == Encryption.NONE ? PLAIN_DIR : ENCRYPTED_DIR;
            String path = dir + "/" + decl.name();
            plan.content(decl, value, field).ifPresent(content -> {
                List<String> requires = decl.encryption() == Encryption.HOST ? plan.newKeyFile.stream().toList() : List.of();
                plan.intents.add(new FileIntent(path, KIND, content, Ownership.ROOT, MODE, decl.origin().toString(),
                        decl.origin().fromUserData(), List.of(new DirIntent(dir, Ownership.ROOT, 0700, true)), requires));
                tracked.put(path, Manifest.Entry.file(path, KIND));
            });
        }
        return plan.intents;
    }

    private Optional<Content> content(CredentialDecl decl, Secret value, String field) {
        String name = decl.name();
        switch (decl.encryption()) {
            case NONE -> {
                return Optional.of(new Content.Whole(value));
            }
            case HOST -> {
                Optional<HostKey> key = hostKey(field);
                return key.map(k -> new Content.Merged(existing -> existing
                        .filter(bytes -> CredentialBlob.decrypt(k, name, bytes).map(value::sameValue).orElse(false))
                        .map(byte[]::clone)
                        .orElseGet(() -> CredentialBlob.encrypt(k, name, value, now(), random))));
            }
            default -> {
                if (!root.root().equals(Path.of("/"))) {
                    errors.add(field + ": encrypt: " + decl.encryption().word() + " seals to this machine's TPM2, so the"
                            + " target root must be / (use encrypt: host for another root)");
                    return Optional.empty();
                }
                Encryption with = decl.encryption();
                return Optional.of(new Content.Merged(existing -> {
                    try {
                        if (existing.isPresent()) {
                            Optional<Secret> held = systemdCreds.decrypt(name, existing.get());
                            if (held.map(value::sameValue).orElse(false)) {
                                return existing.get().clone();
                            }
                        }
                        return systemdCreds.encrypt(name, with, value);
                    } catch (IOException e) {
                        throw new IllegalStateException(e.getMessage());
                    }
                }));
            }
        }
    }

    /**
     * The host key, read once. A missing one is made here, as {@code systemd-creds setup} would,
     * and written before the credentials that need it; so is one left by another machine-id,
     * which systemd would discard anyway. Without a machine-id there is nothing to bind it to.
     */
    private Optional<HostKey> hostKey(String field) {
        if (hostKey != null) {
            if (hostKey.isEmpty()) {
                errors.add(field + ": no host key to encrypt with (see the error above)");
            }
            return hostKey;
        }
        hostKey = Optional.empty();
        try {
            Optional<byte[]> machineId = HostKey.machineId(root);
            if (machineId.isEmpty()) {
                errors.add(field + ": encrypt: host needs " + HostKey.MACHINE_ID + ", which is not set yet; a credential"
                        + " encrypted now could not be decrypted once it is");
                return hostKey;
            }
            hostKey = HostKey.load(root, machineId.get());
            if (hostKey.isEmpty()) {
                if (root.exists(HostKey.PATH)) {
                    warnings.add(HostKey.PATH + " belongs to another machine-id (systemd would discard it); a new one is made");
                }
                Secret file = HostKey.newFile(machineId.get(), random);
                hostKey = Optional.of(HostKey.of(file));
                newKeyFile = Optional.of(HostKey.PATH);
                intents.add(new FileIntent(HostKey.PATH, "credential-key", new Content.Whole(file), Ownership.ROOT, MODE,
                        "host key for " + field, false, List.of(new DirIntent("/var/lib/systemd", Ownership.ROOT, 0755, false))));
            }
        } catch (IOException e) {
            errors.add(field + ": cannot read the host key: " + e.getMessage());
        }
        return hostKey;
    }

    private static long now() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }
}
