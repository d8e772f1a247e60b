package dev.bootsecrets.output;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A program the agent runs (systemd-creds, podman): input on stdin, never in argv, and an
 * environment of exactly the variables given, so nothing of the agent's own leaks into it.
 */
final class ChildProcess {
    static final int MAX_OUTPUT = 1 << 20;

    /** What it printed and returned. */
    record Result(int exit, byte[] stdout, String stderr) {
        /** The first line of stderr (these programs say what went wrong there, never a value), for a message. */
        String reason() {
            String line = stderr.lines().findFirst().orElse("").strip();
            return line.isEmpty() ? "" : ": " + (line.length() > 200 ? line.substring(0, 200) : line);
        }
    }

    private ChildProcess() {}

    static Result run(List<String> command, Map<String, String> env, byte[] stdin, Duration timeout) throws IOException {
        String program = command.get(0).substring(command.get(0).lastIndexOf('/') + 1);
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
        builder.environment().clear();
        builder.environment().putAll(env);
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
                throw new IOException(program + " did not finish within " + timeout.toSeconds() + "s");
            }
            return new Result(process.exitValue(), out.get(), new String(err.get(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + program + " ran");
        } catch (ExecutionException e) {
            throw new IOException("could not read what " + program + " wrote: " + e.getCause().getMessage());
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
