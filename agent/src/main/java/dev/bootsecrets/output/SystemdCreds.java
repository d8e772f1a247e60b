package dev.bootsecrets.output;

import dev.bootsecrets.config.Declarations.Encryption;
import dev.bootsecrets.secret.Secret;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

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
    static final int MAX_OUTPUT = 1 << 20;

    /** The credential file (base64) holding {@code value} as {@code name}, sealed {@code with} the TPM2 (and host key). */
    public byte[] encrypt(String name, Encryption with, Secret value) throws IOException {
        byte[] input = value.bytes();
        try {
            Result r = run(List.of("encrypt", "--with-key=" + with.word(), "--name=" + name, "-", "-"), input);
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
        Result r = run(List.of("decrypt", "--name=" + name, "-", "-"), blob);
        try {
            return r.exit() == 0 ? Optional.of(Secret.of(r.stdout())) : Optional.empty();
        } finally {
            Secret.wipe(r.stdout());
        }
    }

    private record Result(int exit, byte[] stdout, String stderr) {
        /** The first line of stderr: systemd-creds says what went wrong, never the value. */
        String reason() {
            String line = stderr.lines().findFirst().orElse("").strip();
            return line.isEmpty() ? "" : ": " + (line.length() > 200 ? line.substring(0, 200) : line);
        }
    }

    private Result run(List<String> args, byte[] stdin) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        Process process = builder.start();
        CompletableFuture<byte[]> out = drain(process.getInputStream());
        CompletableFuture<byte[]> err = drain(process.getErrorStream());
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        } catch (IOException e) {
            // it exited without reading its input; its exit code says why
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("systemd-creds did not finish within " + timeout.toSeconds() + "s");
            }
            return new Result(process.exitValue(), out.get(), new String(err.get(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while systemd-creds ran");
        } catch (ExecutionException e) {
            throw new IOException("could not read what systemd-creds wrote: " + e.getCause().getMessage());
        }
    }

    /** Reads a child's stream to the end, at most {@link #MAX_OUTPUT} bytes. */
    private static CompletableFuture<byte[]> drain(InputStream stream) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (InputStream s = stream) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                byte[] chunk = new byte[8192];
                for (int n; (n = s.read(chunk)) > 0; ) {
                    if (buffer.size() + n > MAX_OUTPUT) {
                        throw new IOException("more than " + MAX_OUTPUT + " bytes of output");
                    }
                    buffer.write(chunk, 0, n);
                }
                result.complete(buffer.toByteArray());
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }
}
