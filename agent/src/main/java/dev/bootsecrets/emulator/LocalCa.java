package dev.bootsecrets.emulator;

import dev.bootsecrets.tls.Pem;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A throwaway certificate authority (EC P-256) for the demo's join service and for tests: it
 * gives local servers a certificate for 127.0.0.1, ::1 and localhost, and signs CSRs the way a
 * join service or Vault's PKI would. Nothing it makes outlives the process.
 */
public final class LocalCa {
    private static final char[] NO_PASSWORD = new char[0];
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern IP = Pattern.compile("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

    private final KeyPair key;
    private final X509Certificate certificate;

    private LocalCa(KeyPair key, X509Certificate certificate) {
        this.key = key;
        this.certificate = certificate;
    }

    public static LocalCa create(String name) throws GeneralSecurityException {
        KeyPair key = keyPair();
        X500Principal subject = new X500Principal("CN=" + name);
        var builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plus(Duration.ofDays(1))), subject, key.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return new LocalCa(key, sign(builder, key));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA certificate in PEM, for a client's CA file. */
    public String pem() throws GeneralSecurityException {
        return pem(certificate);
    }

    public static String pem(X509Certificate certificate) throws GeneralSecurityException {
        return Pem.encode(List.of(certificate));
    }

    /**
     * Signs a PEM CSR as a client certificate for {@code commonName}, valid for {@code ttl}.
     *
     * @throws GeneralSecurityException when the CSR is not a PEM PKCS#10 request with a valid
     *                                  signature (its key must be the one asking)
     */
    public X509Certificate signCsr(String csrPem, String commonName, Duration ttl) throws GeneralSecurityException {
        PKCS10CertificationRequest csr;
        try (PEMParser parser = new PEMParser(new StringReader(csrPem))) {
            if (!(parser.readObject() instanceof PKCS10CertificationRequest request)) {
                throw new GeneralSecurityException("not a PEM certificate request");
            }
            csr = request;
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                throw new GeneralSecurityException("the request's signature is not valid");
            }
        } catch (IOException | OperatorCreationException | PKCSException e) {
            throw new GeneralSecurityException("not a valid certificate request", e);
        }
        PublicKey subjectKey = new JcaPKCS10CertificationRequest(csr).getPublicKey();
        return issue(new X500Principal("CN=" + commonName), subjectKey, ttl, KeyPurposeId.id_kp_clientAuth, null);
    }

    /**
     * A server TLS context with a certificate for 127.0.0.1, ::1 and localhost, which trusts
     * the client certificates this CA signed (whether clients are asked is the server's choice).
     */
    public SSLContext serverContext() throws GeneralSecurityException {
        return serverContext(List.of("127.0.0.1", "::1", "localhost"));
    }

    /** The same, with a certificate for {@code names} (IP addresses or host names) instead. */
    public SSLContext serverContext(List<String> names) throws GeneralSecurityException {
        KeyPair serverKey = keyPair();
        X509Certificate server = server(names, serverKey);
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", serverKey.getPrivate(), NO_PASSWORD, new X509Certificate[] {server, certificate});
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, NO_PASSWORD);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("ca", certificate);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /**
     * A server certificate for {@code names} and its key, as PEM files for a server that is not
     * Java (the test's docker-registry): the certificate followed by this CA's, then the
     * PKCS#8 private key.
     */
    public record ServerPem(String chain, String privateKey) {}

    public ServerPem serverPem(List<String> names) throws GeneralSecurityException {
        KeyPair serverKey = keyPair();
        X509Certificate server = server(names, serverKey);
        return new ServerPem(Pem.encode(List.of(server, certificate)), Pem.privateKey(serverKey.getPrivate()).utf8());
    }

    private X509Certificate server(List<String> names, KeyPair serverKey) throws GeneralSecurityException {
        GeneralNames alternatives = new GeneralNames(names.stream()
                .map(n -> new GeneralName(IP.matcher(n).matches() ? GeneralName.iPAddress : GeneralName.dNSName, n))
                .toArray(GeneralName[]::new));
        return issue(new X500Principal("CN=" + names.getFirst()), serverKey.getPublic(), Duration.ofDays(1),
                KeyPurposeId.id_kp_serverAuth, alternatives);
    }

    private X509Certificate issue(X500Principal subject, PublicKey subjectKey, Duration ttl, KeyPurposeId purpose,
            GeneralNames names) throws GeneralSecurityException {
        var builder = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plus(ttl)), subject, subjectKey);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            if (names != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, names);
            }
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return sign(builder, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM);
    }
}
