package dev.bootsecrets.tls;

import dev.bootsecrets.secret.Secret;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** PEM text: the form keys, certificates and CSRs take on disk and on the wire. */
public final class Pem {
    private static final String PRIVATE_KEY = "PRIVATE KEY";

    private Pem() {}

    public static String encode(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** An EC private key as PKCS#8 PEM, made as a secret from the start. */
    public static Secret privateKey(PrivateKey key) {
        byte[] der = key.getEncoded();
        String pem = encode(PRIVATE_KEY, der);
        Secret.wipe(der);
        return Secret.ofUtf8(pem);
    }

    /** Every certificate in {@code pem}, in order; none is an error. */
    public static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
        var factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (var c : factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no certificate");
        }
        return out;
    }

    /** An in-memory key store that holds {@code certificates} as trusted entries, for a TrustManagerFactory. */
    public static KeyStore trustStore(List<X509Certificate> certificates) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot make an empty key store", e);
        }
        for (int i = 0; i < certificates.size(); i++) {
            store.setCertificateEntry("ca" + i, certificates.get(i));
        }
        return store;
    }

    /** Certificates back to PEM, one after the other. */
    public static String encode(List<X509Certificate> certificates) throws GeneralSecurityException {
        StringBuilder out = new StringBuilder();
        for (X509Certificate c : certificates) {
            out.append(encode("CERTIFICATE", c.getEncoded()));
        }
        return out.toString();
    }

    /** A PKCS#8 "PRIVATE KEY" PEM holding an EC key, as {@link #privateKey} writes it. */
    public static PrivateKey readPrivateKey(Secret pem) throws GeneralSecurityException {
        String text = pem.utf8();
        String header = "-----BEGIN " + PRIVATE_KEY + "-----";
        int begin = text.indexOf(header);
        int end = text.indexOf("-----END " + PRIVATE_KEY + "-----");
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException("not a PKCS#8 private key");
        }
        String body = text.substring(begin + header.length(), end);
        byte[] der = null;
        try {
            der = Base64.getMimeDecoder().decode(body);
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("not a PKCS#8 private key");
        } finally {
            Secret.wipe(der);
        }
    }
}
