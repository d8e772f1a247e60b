package dev.bootsecrets.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Runs a real program the way the tests check outputs with (skopeo, systemd-creds, systemd-analyze). */
public final class Tool {
    /** What the program printed and returned. */
    public record Result(int exit, byte[] stdout, String stderr) {
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + exit + ", stdout: " + out() + ", stderr: " + stderr;
        }
    }

    private Tool() {}

    public static Result run(List<String> command) throws IOException, InterruptedException {
        return run(command, Map.of(), new byte[0]);
    }

    /** Runs {@code command} with {@code env} added to this process's environment and {@code stdin} as input. */
    public static Result run(List<String> command, Map<String, String> env, byte[] stdin) throws IOException, InterruptedException {
        return run(command, env, stdin, Duration.ofSeconds(60));
    }

    /** {@link #run(List, Map, byte[])} given {@code timeout} to finish (many at once on a busy machine take longer). */
    public static Result run(List<String> command, Map<String, String> env, byte[] stdin, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        Process p = builder.start();
        // Threads of their own: the common pool has a single worker on two cores, and a caller
        // that already runs in it (concurrent runs) would wait for readers queued behind itself.
        Executor reader = task -> Thread.ofVirtual().start(task);
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), reader);
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), reader);
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin);
        }
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " did not finish within " + timeout.toSeconds() + "s");
        }
        return new Result(p.exitValue(), out.join(), new String(err.join(), StandardCharsets.UTF_8));
    }

    /** {@code PATH} with {@code dir} first, for programs that find helpers on the path. */
    public static String pathWith(Path dir) {
        return dir + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return ("(unreadable: " + e.getMessage() + ")").getBytes(StandardCharsets.UTF_8);
        }
    }
}
