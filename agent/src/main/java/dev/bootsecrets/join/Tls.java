package dev.bootsecrets.join;

import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.tls.Pem;
import dev.bootsecrets.tls.SystemTrust;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/** The TLS context of a join: whom to trust, and which certificate to show. */
public final class Tls {
    static final int MAX_CA_BYTES = 1024 * 1024;
    /** The in-memory key store needs a password; it never leaves this process. */
    private static final char[] NO_PASSWORD = new char[0];

    private Tls() {}

    /**
     * @param caFile a CA bundle in the target root: only its certificates are trusted (the
     *               system's CAs are not); empty: the machine's CAs ({@link SystemTrust})
     * @param client shown to the server for mutual TLS, when present
     */
    public static SSLContext context(TargetRoot root, Optional<String> caFile, Optional<Credential> client)
            throws JoinException {
        try {
            TrustManager[] trust = caFile.isPresent() ? SystemTrust.trusting(anchors(root, caFile.get())) : systemTrust(root);
            KeyManagerFactory keys = null;
            if (client.isPresent()) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("machine", client.get().key(), NO_PASSWORD,
                        client.get().chain().toArray(X509Certificate[]::new));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, NO_PASSWORD);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new JoinException("join: cannot set up TLS (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static TrustManager[] systemTrust(TargetRoot root) throws JoinException, GeneralSecurityException {
        try {
            return SystemTrust.trustManagers(root);
        } catch (IOException e) {
            throw new JoinException("join: " + e.getMessage()); // the bundle's path and what is wrong with it
        }
    }

    private static KeyStore anchors(TargetRoot root, String caFile) throws JoinException, GeneralSecurityException, IOException {
        Optional<byte[]> pem;
        try {
            pem = root.read(caFile, MAX_CA_BYTES);
        } catch (IOException e) {
            throw new JoinException("join: CA file " + e.getMessage());
        }
        if (pem.isEmpty()) {
            throw new JoinException("join: CA file " + caFile + " does not exist");
        }
        List<X509Certificate> certificates;
        try {
            certificates = Pem.certificates(new String(pem.get(), StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new JoinException("join: CA file " + caFile + " holds no PEM certificate");
        }
        return Pem.trustStore(certificates);
    }
}
