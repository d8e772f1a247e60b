package dev.bootsecrets.join;

import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.tls.Der;
import dev.bootsecrets.tls.Pem;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * The key pair a join makes on this machine (EC P-256): the CSR carries its public half to be
 * signed; the private half is written only to key.pem, and never sent anywhere.
 */
public final class MachineKey {
    /** AlgorithmIdentifier of ecdsa-with-SHA256 (1.2.840.10045.4.3.2, RFC 5758: no parameters). */
    private static final byte[] ECDSA_WITH_SHA256 = Der.of(Der.SEQUENCE,
            Der.of(Der.OID, new byte[] {0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x04, 0x03, 0x02}));

    private final KeyPair pair;

    private MachineKey(KeyPair pair) {
        this.pair = pair;
    }

    public static MachineKey generate() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return new MachineKey(generator.generateKeyPair());
    }

    /**
     * A PEM PKCS#10 request (RFC 2986) for {@code commonName}, signed with the private key
     * (SHA256withECDSA), with no attributes. Encoded here rather than by Bouncy Castle, which
     * would be the boot image's largest library for these few lines (docs/packaging.md).
     */
    public String csr(String commonName) throws GeneralSecurityException {
        byte[] info = Der.of(Der.SEQUENCE,
                Der.of(Der.INTEGER, new byte[] {0}),
                new X500Principal("CN=" + commonName).getEncoded(),
                pair.getPublic().getEncoded(),
                Der.of(Der.CONTEXT_0));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(pair.getPrivate());
        signer.update(info);
        byte[] request = Der.of(Der.SEQUENCE, info, ECDSA_WITH_SHA256, Der.bitString(signer.sign()));
        return Pem.encode("CERTIFICATE REQUEST", request);
    }

    /** The private key as PKCS#8 PEM, for key.pem. */
    public Secret privateKeyPem() {
        return Pem.privateKey(pair.getPrivate());
    }

    /**
     * The certificate a service signed, then the ones that issued it, all PEM; refused unless
     * the certificate is for this key (a confused service could answer with another machine's).
     * The exception's message says which, for the log.
     */
    public List<X509Certificate> chain(String certificate, List<String> issuers) throws GeneralSecurityException {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            chain.add(Pem.certificates(certificate).getFirst());
            for (String issuer : issuers) {
                chain.addAll(Pem.certificates(issuer));
            }
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException("the certificate and its chain must be PEM certificates");
        }
        if (!Arrays.equals(chain.getFirst().getPublicKey().getEncoded(), pair.getPublic().getEncoded())) {
            throw new GeneralSecurityException("the certificate is not for the key this machine made");
        }
        return chain;
    }
}
