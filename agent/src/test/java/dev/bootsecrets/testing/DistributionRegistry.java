package dev.bootsecrets.testing;

import dev.bootsecrets.emulator.LocalCa;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Debian's docker-registry (the CNCF distribution registry) on 127.0.0.1, with TLS from the
 * emulator's local CA for the given host names and htpasswd logins. The passwords go to the
 * htpasswd file as bcrypt hashes made here: never on a command line.
 */
public final class DistributionRegistry implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path certDir;

    private DistributionRegistry(Process process, int port, Path certDir) {
        this.process = process;
        this.port = port;
        this.certDir = certDir;
    }

    /** @param logins user name to password */
    public static DistributionRegistry start(Path dir, LocalCa ca, List<String> names, Map<String, String> logins)
            throws Exception {
        Files.createDirectories(dir);
        LocalCa.ServerPem pem = ca.serverPem(names);
        Files.writeString(dir.resolve("server.crt"), pem.chain());
        Files.writeString(dir.resolve("server.key"), pem.privateKey());
        Files.setPosixFilePermissions(dir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        Path certDir = Files.createDirectories(dir.resolve("certs.d"));
        Files.writeString(certDir.resolve("ca.crt"), ca.pem());
        Files.writeString(dir.resolve("htpasswd"), logins.entrySet().stream()
                .map(e -> e.getKey() + ":" + OpenBSDBCrypt.generate("2y", e.getValue().toCharArray(), salt(), 5))
                .collect(Collectors.joining("\n", "", "\n")));
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                  tls:
                    certificate: %s
                    key: %s
                auth:
                  htpasswd:
                    realm: bootsecrets-test
                    path: %s
                """.formatted(dir.resolve("storage"), port, dir.resolve("server.crt"), dir.resolve("server.key"),
                dir.resolve("htpasswd")));
        Process process = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        DistributionRegistry registry = new DistributionRegistry(process, port, certDir);
        registry.awaitListening(dir);
        return registry;
    }

    public int port() {
        return port;
    }

    /** A directory with the CA as ca.crt, for skopeo's --src-cert-dir and --dest-cert-dir. */
    public Path certDir() {
        return certDir;
    }

    private void awaitListening(Path dir) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IOException("docker-registry did not listen on 127.0.0.1:" + port + " within 20 s");
    }

    private static byte[] salt() {
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        return salt;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
