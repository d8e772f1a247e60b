package dev.bootsecrets.tls;

import dev.bootsecrets.fs.TargetRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificate authorities the machine trusts: its distribution's CA bundle, the one
 * update-ca-trust or update-ca-certificates writes, so that the agent trusts what curl, podman
 * and Ignition on the same machine trust, whichever build it is. Without a bundle, the
 * runtime's own list, which in a native image is the build JDK's, fixed when it was built. A
 * {@code javax.net.ssl.trustStore} given on the command line wins over both.
 */
public final class SystemTrust {
    /** Where distributions keep the bundle, in the order looked at; the first that exists is used. */
    static final List<String> BUNDLES = List.of(
            "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // Fedora, RHEL, CentOS Stream
            "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu
            "/etc/ssl/ca-bundle.pem"); // SUSE
    /** Fedora's bundle is about 220 KiB. */
    static final int MAX_BUNDLE_BYTES = 8 << 20;

    private SystemTrust() {}

    /** A TLS context that trusts the bundle in {@code root}, or the runtime's list when it has none. */
    public static SSLContext context(TargetRoot root) throws IOException, GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers(root), null);
        return context;
    }

    /**
     * Trust managers for the bundle in {@code root}, or the runtime's own. A bundle that exists
     * but holds no certificate is an error naming it: falling back to another list would trust
     * authorities the machine's administrator may have removed.
     */
    public static TrustManager[] trustManagers(TargetRoot root) throws IOException, GeneralSecurityException {
        return trusting(System.getProperty("javax.net.ssl.trustStore") == null ? bundle(root).orElse(null) : null);
    }

    /** Trust managers for exactly the certificates of {@code store}; null: the runtime's own list. */
    public static TrustManager[] trusting(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    private static Optional<KeyStore> bundle(TargetRoot root) throws IOException, GeneralSecurityException {
        for (String path : BUNDLES) {
            Optional<byte[]> pem = root.read(path, MAX_BUNDLE_BYTES);
            if (pem.isEmpty()) {
                continue;
            }
            List<X509Certificate> certificates;
            try {
                certificates = Pem.certificates(new String(pem.get(), StandardCharsets.US_ASCII));
            } catch (GeneralSecurityException e) {
                throw new IOException("CA bundle " + path + " holds no PEM certificate", e);
            }
            return Optional.of(Pem.trustStore(certificates));
        }
        return Optional.empty();
    }
}
