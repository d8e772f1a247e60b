package dev.bootsecrets.tls;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bootsecrets.emulator.LocalCa;
import dev.bootsecrets.fs.TargetRoot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent trusts the CAs of the machine's own bundle, as the distribution's tools do, and nothing else when there is one. */
class SystemTrustTest {
    static final String FEDORA = "etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem";
    static final String DEBIAN = "etc/ssl/certs/ca-certificates.crt";

    @TempDir
    Path root;

    final LocalCa machineCa;
    final LocalCa otherCa;

    SystemTrustTest() throws Exception {
        machineCa = LocalCa.create("machine CA");
        otherCa = LocalCa.create("other CA");
    }

    @Test
    void aServerCertifiedByACaOfTheFedoraBundleIsTrustedAndOthersAreNot() throws Exception {
        // update-ca-trust writes a comment line before each certificate.
        bundle(FEDORA, "# machine CA\n" + machineCa.pem() + "# other entry\n");
        SSLContext client = context();
        assertDoesNotThrow(() -> handshake(client, machineCa));
        assertThrows(SSLHandshakeException.class, () -> handshake(client, otherCa));
    }

    @Test
    void debiansBundleServesWhenThereIsNoFedoraOneAndFedorasWinsOverIt() throws Exception {
        bundle(DEBIAN, otherCa.pem());
        assertDoesNotThrow(() -> handshake(context(), otherCa));

        bundle(FEDORA, machineCa.pem());
        SSLContext both = context();
        assertDoesNotThrow(() -> handshake(both, machineCa));
        assertThrows(SSLHandshakeException.class, () -> handshake(both, otherCa));
    }

    @Test
    void withoutABundleTheRuntimesOwnListIsUsedWhichKnowsNoLocalCa() throws Exception {
        assertThrows(SSLHandshakeException.class, () -> handshake(context(), machineCa));
    }

    @Test
    void aBundleWithoutCertificatesIsAnErrorNamingItNotAFallback() throws Exception {
        bundle(FEDORA, "# emptied by mistake\n");
        IOException e = assertThrows(IOException.class, this::context);
        assertEquals("CA bundle /" + FEDORA + " holds no PEM certificate", e.getMessage());
    }

    void bundle(String path, String pem) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, pem);
    }

    SSLContext context() throws Exception {
        try (TargetRoot target = TargetRoot.open(root)) {
            return SystemTrust.context(target);
        }
    }

    /** A TLS handshake with a server on 127.0.0.1 whose certificate {@code ca} issued, checking its name as HTTPS does. */
    static void handshake(SSLContext client, LocalCa ca) throws Exception {
        try (SSLServerSocket server = (SSLServerSocket) ca.serverContext().getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread accept = new Thread(() -> {
                try (Socket s = server.accept()) {
                    ((SSLSocket) s).startHandshake();
                } catch (IOException refused) {
                    // the client gave up on the certificate: what the test looks at
                }
            });
            accept.start();
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", server.getLocalPort())) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
                socket.startHandshake();
            } finally {
                accept.join(5000);
            }
        }
    }
}
