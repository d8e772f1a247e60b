package dev.bootsecrets.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Real OpenSSH key pairs for tests, made by ssh-keygen. */
public final class Keys {
    /** A private key file and its public key line. */
    public record Pair(Path privateKey, String publicKey) {}

    private Keys() {}

    public static Pair generate(Path dir, String name, String type) throws IOException, InterruptedException {
        Path key = dir.resolve(name);
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", type, "-N", "", "-C", name + "@test", "-f",
                key.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ssh-keygen failed: " + output);
        }
        return new Pair(key, Files.readString(dir.resolve(name + ".pub")).strip());
    }
}
