package dev.bootsecrets.output;

import dev.bootsecrets.config.Declarations.Encryption;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code systemd-creds}, for credentials bound to the TPM2, which only systemd can seal. The
 * value goes in on stdin and comes out on stdout, never in argv; the child's environment is
 * empty, so nothing of the agent's leaks into it (and no SYSTEMD_* variable changes its mind).
 *
 * @param executable the systemd-creds program
 * @param timeout    how long one call may take (a TPM can be slow, not endless)
 */
public record SystemdCreds(Path executable, Duration timeout) {
    public static final SystemdCreds DEFAULT = new SystemdCreds(Path.of("/usr/bin/systemd-creds"), Duration.ofSeconds(60));

    /** The credential file (base64) holding {@code value} as {@code name}, sealed {@code with} the TPM2 (and host key). */
    public byte[] encrypt(String name, Encryption with, Secret value) throws IOException {
        byte[] input = value.bytes();
        try {
            ChildProcess.Result r = run(List.of("encrypt", "--with-key=" + with.word(), "--name=" + name, "-", "-"), input);
            if (r.exit() != 0 || r.stdout().length == 0) {
                throw new IOException("systemd-creds encrypt failed (exit " + r.exit() + r.reason() + ")");
            }
            return r.stdout();
        } finally {
            Secret.wipe(input);
        }
    }

    /** The value of credential file {@code blob} named {@code name}; empty when systemd-creds cannot open it. */
    public Optional<Secret> decrypt(String name, byte[] blob) throws IOException {
        ChildProcess.Result r = run(List.of("decrypt", "--name=" + name, "-", "-"), blob);
        try {
            return r.exit() == 0 ? Optional.of(Secret.of(r.stdout())) : Optional.empty();
        } finally {
            Secret.wipe(r.stdout());
        }
    }

    private ChildProcess.Result run(List<String> args, byte[] stdin) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(args);
        return ChildProcess.run(command, Map.of(), stdin, timeout);
    }
}
