package dev.bootsecrets.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSR a join sends, read back by the tools a service would read it with. */
class MachineKeyTest {
    @Test
    void bouncyCastleReadsTheRequestAndItsSignatureHolds() throws Exception {
        MachineKey key = MachineKey.generate();
        PKCS10CertificationRequest request;
        try (PEMParser parser = new PEMParser(new StringReader(key.csr("i-0abc.machines.example")))) {
            request = (PKCS10CertificationRequest) parser.readObject();
        }
        assertEquals(new X500Name("CN=i-0abc.machines.example"), request.getSubject());
        assertEquals("1.2.840.10045.4.3.2", request.getSignatureAlgorithm().getAlgorithm().getId());
        assertEquals(0, request.getAttributes().length);
        assertTrue(request.isSignatureValid(new JcaContentVerifierProviderBuilder()
                .build(request.getSubjectPublicKeyInfo())));
    }

    @Test
    void opensslVerifiesTheRequest(@TempDir Path dir) throws Exception {
        Path csr = Files.writeString(dir.resolve("req.pem"), MachineKey.generate().csr("node-7"));
        Process openssl = new ProcessBuilder("openssl", "req", "-in", csr.toString(), "-verify", "-noout", "-subject")
                .redirectErrorStream(true).start();
        String out = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(openssl.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, openssl.exitValue(), out);
        assertTrue(out.contains("CN = node-7") || out.contains("CN=node-7"), out);
    }
}
