package dev.bootsecrets.cloud.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AWS's published Signature Version 4 test suite (test resources sigv4/, Apache 2.0, see its
 * NOTICE): each request's canonical form, string to sign and Authorization header.
 */
class SigV4Test {
    static final Instant TIME = Instant.parse("2015-08-30T12:36:00Z");
    static final String REGION = "us-east-1";
    static final String SERVICE = "service";
    static final String KEY_ID = "AKIDEXAMPLE";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    /**
     * Every case of the suite but three: post-sts-header-after, whose token is added after
     * signing (this signer always signs the token, which every service it talks to accepts), and
     * the two post-x-www-form-urlencoded ones, whose files disagree with each other (the .creq
     * signs Content-Length, the .sts and .authz were made from a request without it).
     */
    static Stream<String> vectors() {
        return Stream.of(
                "get-header-key-duplicate", "get-header-value-multiline", "get-header-value-order",
                "get-header-value-trim", "get-unreserved", "get-utf8", "get-vanilla", "get-vanilla-empty-query-key",
                "get-vanilla-query", "get-vanilla-query-order-key", "get-vanilla-query-order-key-case",
                "get-vanilla-query-order-value", "get-vanilla-query-unreserved", "get-vanilla-utf8-query",
                "post-header-key-case", "post-header-key-sort", "post-header-value-case", "post-vanilla",
                "post-vanilla-empty-query-value", "post-vanilla-query",
                "normalize-path/get-relative", "normalize-path/get-relative-relative", "normalize-path/get-slash",
                "normalize-path/get-slash-dot-slash", "normalize-path/get-slash-pointless-dot",
                "normalize-path/get-slashes", "normalize-path/get-space",
                "post-sts-token/post-sts-header-before");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void everyStepMatchesTheSuite(String name) throws IOException {
        Vector vector = Vector.read(name);
        AwsCredentials credentials = credentials(vector.headers());

        String canonical = SigV4.canonicalRequest(vector.method(), vector.path(), vector.query(),
                SigV4.canonicalHeaders(vector.headers()), vector.body());
        assertEquals(vector.file("creq"), canonical);
        String toSign = SigV4.stringToSign(canonical, TIME, SigV4.scope(TIME, REGION, SERVICE));
        assertEquals(vector.file("sts"), toSign);
        assertEquals(vector.file("authz"), SigV4.authorization(vector.method(), vector.path(), vector.query(),
                vector.headers(), vector.body(), REGION, SERVICE, credentials, TIME));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void signAddsTheDateTokenAndAuthorizationTheSuiteExpects(String name) throws IOException {
        Vector vector = Vector.read(name);
        Map<String, String> given = new LinkedHashMap<>(vector.headers());
        given.keySet().removeIf(header -> header.equalsIgnoreCase("X-Amz-Date") || header.equalsIgnoreCase("X-Amz-Security-Token"));

        Map<String, String> signed = SigV4.sign(vector.method(), vector.path(), vector.query(), given, vector.body(),
                REGION, SERVICE, credentials(vector.headers()), TIME);

        assertEquals("20150830T123600Z", signed.get("X-Amz-Date"));
        assertEquals(vector.file("authz"), signed.get("Authorization"));
    }

    @Test
    void aDifferentSecretDayRegionOrServiceGivesADifferentSignature() throws IOException {
        Vector vector = Vector.read("get-vanilla");
        AwsCredentials credentials = credentials(vector.headers());
        String good = SigV4.authorization("GET", "/", "", vector.headers(), null, REGION, SERVICE, credentials, TIME);
        AwsCredentials other = new AwsCredentials(KEY_ID, Secret.ofUtf8(SECRET + "x"), Secret.empty(), TIME, REGION);
        for (String changed : List.of(
                SigV4.authorization("GET", "/", "", vector.headers(), null, REGION, SERVICE, other, TIME),
                SigV4.authorization("GET", "/", "", vector.headers(), null, "eu-west-1", SERVICE, credentials, TIME),
                SigV4.authorization("GET", "/", "", vector.headers(), null, REGION, "ssm", credentials, TIME),
                SigV4.authorization("GET", "/", "", vector.headers(), new byte[] {'x'}, REGION, SERVICE, credentials, TIME))) {
            assertFalse(changed.equals(good), changed);
        }
    }

    @Test
    void theSecretAndTokenAppearOnlyWhereAwsWantsThem() {
        AwsCredentials role = new AwsCredentials(KEY_ID, Secret.ofUtf8(SECRET), Secret.ofUtf8("session-token-value"),
                TIME.plusSeconds(3600), REGION);
        var request = SigV4.post(java.net.URI.create("https://secretsmanager.us-east-1.amazonaws.com/"),
                Map.of("X-Amz-Target", "secretsmanager.GetSecretValue"), "{}".getBytes(StandardCharsets.UTF_8),
                1024, REGION, "secretsmanager", role, TIME);

        assertEquals("secretsmanager.us-east-1.amazonaws.com", request.headers().get("Host"));
        assertEquals("session-token-value", request.headers().get("X-Amz-Security-Token"));
        assertTrue(request.headers().get("Authorization").contains(
                "SignedHeaders=host;x-amz-date;x-amz-security-token;x-amz-target,"), request.headers().get("Authorization"));
        assertFalse(String.join(" ", request.headers().values()).contains(SECRET));
        assertFalse(role.toString().contains(SECRET) || role.toString().contains("session-token-value"), role.toString());
    }

    private static AwsCredentials credentials(Map<String, String> headers) {
        String token = headers.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase("X-Amz-Security-Token"))
                .map(Map.Entry::getValue).findFirst().orElse("");
        return new AwsCredentials(KEY_ID, Secret.ofUtf8(SECRET), Secret.ofUtf8(token), TIME.plusSeconds(3600), REGION);
    }

    /** One case: the .req parsed (folded lines joined with commas, repeated headers too), and its expected files. */
    record Vector(String name, String method, String path, String query, Map<String, String> headers, byte[] body) {

        static Vector read(String name) throws IOException {
            return parse(name, resource(name, "req"));
        }

        private static Vector parse(String name, String request) {
            int blank = request.indexOf("\n\n");
            String head = blank < 0 ? request : request.substring(0, blank);
            byte[] body = blank < 0 ? new byte[0] : request.substring(blank + 2).getBytes(StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(head.split("\n")));
            String line = lines.removeFirst();
            String target = line.substring(line.indexOf(' ') + 1, line.lastIndexOf(" HTTP/"));
            int question = target.indexOf('?');
            Map<String, String> headers = new LinkedHashMap<>();
            String last = null;
            for (String header : lines) {
                if (Character.isWhitespace(header.charAt(0))) {
                    headers.merge(last, header.strip(), (a, b) -> a + "," + b);
                    continue;
                }
                int colon = header.indexOf(':');
                String key = header.substring(0, colon);
                String existing = headers.keySet().stream().filter(k -> k.equalsIgnoreCase(key)).findFirst().orElse(key);
                headers.merge(existing, header.substring(colon + 1), (a, b) -> a + "," + b);
                last = existing;
            }
            return new Vector(name, line.substring(0, line.indexOf(' ')),
                    question < 0 ? target : target.substring(0, question),
                    question < 0 ? "" : target.substring(question + 1), headers, body);
        }

        String file(String extension) throws IOException {
            return resource(name, extension);
        }

        private static String resource(String name, String extension) throws IOException {
            String base = name.substring(name.lastIndexOf('/') + 1);
            try (InputStream in = SigV4Test.class.getResourceAsStream("sigv4/" + name + "/" + base + "." + extension)) {
                if (in == null) {
                    throw new IOException("no vector file " + name + "." + extension.toLowerCase(Locale.ROOT));
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
            }
        }
    }
}
