package dev.bootsecrets.join;

import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.tls.Pem;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The key pair a join makes on this machine (EC P-256): the CSR carries its public half to be
 * signed; the private half is written only to key.pem, and never sent anywhere.
 */
public final class MachineKey {
    private final KeyPair pair;

    private MachineKey(KeyPair pair) {
        this.pair = pair;
    }

    public static MachineKey generate() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return new MachineKey(generator.generateKeyPair());
    }

    /** A PEM PKCS#10 request for {@code commonName}, signed with the private key (SHA256withECDSA). */
    public String csr(String commonName) throws GeneralSecurityException {
        try {
            var request = new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=" + commonName), pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
            return Pem.encode("CERTIFICATE REQUEST", request.getEncoded());
        } catch (OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("could not make the CSR", e);
        }
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
