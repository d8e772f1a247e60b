package dev.bootsecrets.join;

import dev.bootsecrets.config.JoinSettings;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.tls.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * The key and certificate an earlier join left in {@code join.certificate.dir}: what later
 * boots log in with (mutual TLS) instead of the bootstrap secret, which is gone by then.
 *
 * @param chain the machine's certificate first, then the ones that issued it
 */
public record Credential(PrivateKey key, List<X509Certificate> chain) {
    static final int MAX_BYTES = 256 * 1024;

    public Credential {
        chain = List.copyOf(chain);
    }

    /**
     * key.pem and cert.pem, if both are there, belong together and the certificate is valid
     * now; otherwise empty, with a note saying why (the first join has none: that is normal).
     */
    public static Optional<Credential> earlier(TargetRoot root, JoinSettings.Certificate where) throws JoinException {
        Optional<byte[]> key;
        Optional<byte[]> cert;
        try {
            key = root.read(where.keyPath(), MAX_BYTES);
            cert = root.read(where.certPath(), MAX_BYTES);
        } catch (IOException e) {
            throw new JoinException("join: cannot read the certificate of an earlier join: " + e.getMessage());
        }
        if (key.isEmpty() || cert.isEmpty()) {
            key.ifPresent(Secret::wipe);
            return Optional.empty();
        }
        Secret keyPem = Secret.of(key.get());
        Secret.wipe(key.get());
        try {
            PrivateKey privateKey = Pem.readPrivateKey(keyPem);
            List<X509Certificate> chain = Pem.certificates(new String(cert.get(), StandardCharsets.US_ASCII));
            chain.getFirst().checkValidity();
            if (!belong(privateKey, chain.getFirst())) {
                Log.warn("join: " + where.certPath() + " is not the certificate of " + where.keyPath() + "; not used");
                return Optional.empty();
            }
            return Optional.of(new Credential(privateKey, chain));
        } catch (GeneralSecurityException e) {
            Log.notice("join: the certificate of an earlier join in " + where.dir() + " is not usable ("
                    + e.getClass().getSimpleName() + "); joining with the bootstrap secret");
            return Optional.empty();
        }
    }

    /** Signs a few bytes with the key and checks them with the certificate. */
    private static boolean belong(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        byte[] probe = "bootsecrets key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(probe);
        return verifier.verify(signature);
    }
}
