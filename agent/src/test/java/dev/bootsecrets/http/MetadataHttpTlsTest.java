package dev.bootsecrets.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.bootsecrets.emulator.LocalCa;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The TLS client for join services: only the given CA is trusted, and the server's name must match its certificate. */
class MetadataHttpTlsTest {
    HttpsServer server;

    @AfterEach
    void stop() {
        server.stop(0);
    }

    URI serve(SSLContext context) throws Exception {
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/", exchange -> {
            byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/x");
    }

    static SSLContext trusting(LocalCa ca) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    static Response get(SSLContext client, URI url) throws Exception {
        try (MetadataHttp http = MetadataHttp.tls(client)) {
            return http.send(Request.get(url, Map.of(), 1024), Deadline.in(Duration.ofSeconds(10)));
        }
    }

    @Test
    void aServerCertifiedByTheGivenCaForItsAddressIsTrusted() throws Exception {
        LocalCa ca = LocalCa.create("test CA");
        URI url = serve(ca.serverContext());
        Response response = get(trusting(ca), url);
        assertEquals(200, response.status());
        assertEquals("hello", new String(response.body(), StandardCharsets.UTF_8));
    }

    @Test
    void anotherCaIsNotTrustedAndTheFailureIsNotRetried() throws Exception {
        URI url = serve(LocalCa.create("server CA").serverContext());
        EndpointException e = assertThrows(EndpointException.class, () -> get(trusting(LocalCa.create("other CA")), url));
        assertTrue(e.getMessage().contains("TLS handshake failed"), e.getMessage());
        assertTrue(!(e instanceof MetadataUnavailableException), "a TLS failure is not waited out");
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws Exception {
        LocalCa ca = LocalCa.create("test CA");
        URI url = serve(ca.serverContext(List.of("join.example.com")));
        EndpointException e = assertThrows(EndpointException.class, () -> get(trusting(ca), url));
        assertTrue(e.getMessage().contains("TLS handshake failed"), e.getMessage());
    }
}
