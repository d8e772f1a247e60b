package dev.bootsecrets.cloud.aws;

import dev.bootsecrets.http.Request;
import dev.bootsecrets.secret.Secret;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 (header form) for services other than S3: every header given is
 * signed, the path is normalized and encoded once more, the query sorted. AWS's published test
 * suite (src/test/resources/.../sigv4) checks each step.
 */
public final class SigV4 {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private SigV4() {}

    /**
     * A POST to {@code uri}, signed: its Host header from the URI, then {@code headers}, all
     * signed, with X-Amz-Date, X-Amz-Security-Token (for role credentials) and Authorization added.
     */
    public static Request post(URI uri, Map<String, String> headers, byte[] body, int maxBytes,
            String region, String service, AwsCredentials credentials, Instant time) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Host", uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()));
        all.putAll(headers);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        return Request.post(uri, sign("POST", path, query, all, body, region, service, credentials, time), body, maxBytes);
    }

    /**
     * The headers to send: {@code headers} (which must hold Host) and X-Amz-Date,
     * X-Amz-Security-Token when the credentials have a session token, and Authorization.
     *
     * @param path  the path as it goes on the wire
     * @param query the query as it goes on the wire, without '?' ("" for none)
     */
    public static Map<String, String> sign(String method, String path, String query, Map<String, String> headers,
            byte[] payload, String region, String service, AwsCredentials credentials, Instant time) {
        Map<String, String> out = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.equals("x-amz-date") && !lower.equals("authorization")
                    && !(lower.equals("x-amz-security-token") && !credentials.sessionToken().isEmpty())) {
                out.put(name, value);
            }
        });
        out.put("X-Amz-Date", STAMP.format(time));
        if (!credentials.sessionToken().isEmpty()) {
            out.put("X-Amz-Security-Token", credentials.sessionToken().utf8());
        }
        out.put("Authorization", authorization(method, path, query, out, payload, region, service, credentials, time));
        return out;
    }

    /** The Authorization header's value for a request whose headers (all signed) are {@code headers}. */
    public static String authorization(String method, String path, String query, Map<String, String> headers,
            byte[] payload, String region, String service, AwsCredentials credentials, Instant time) {
        Map<String, String> canonical = canonicalHeaders(headers);
        String scope = scope(time, region, service);
        String toSign = stringToSign(canonicalRequest(method, path, query, canonical, payload), time, scope);
        return ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope
                + ", SignedHeaders=" + String.join(";", canonical.keySet())
                + ", Signature=" + signature(toSign, credentials.secretAccessKey(), time, region, service);
    }

    /** Step 1: method, canonical path, query, headers, the signed header names and the payload's hash. */
    static String canonicalRequest(String method, String path, String query, Map<String, String> canonicalHeaders,
            byte[] payload) {
        StringBuilder headers = new StringBuilder();
        canonicalHeaders.forEach((name, value) -> headers.append(name).append(':').append(value).append('\n'));
        return method + "\n" + canonicalPath(path) + "\n" + canonicalQuery(query) + "\n" + headers + "\n"
                + String.join(";", canonicalHeaders.keySet()) + "\n" + hex(sha256(payload == null ? new byte[0] : payload));
    }

    /** Step 2: the algorithm, the time, the scope and the canonical request's hash. */
    static String stringToSign(String canonicalRequest, Instant time, String scope) {
        return ALGORITHM + "\n" + STAMP.format(time) + "\n" + scope + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    }

    static String scope(Instant time, String region, String service) {
        return STAMP.format(time).substring(0, 8) + "/" + region + "/" + service + "/aws4_request";
    }

    /** Step 3: the key derived from the secret for this day, region and service, and the HMAC of the string to sign. */
    static String signature(String stringToSign, Secret secretAccessKey, Instant time, String region, String service) {
        byte[] secret = secretAccessKey.bytes();
        byte[] key = new byte[secret.length + 4];
        System.arraycopy("AWS4".getBytes(StandardCharsets.US_ASCII), 0, key, 0, 4);
        System.arraycopy(secret, 0, key, 4, secret.length);
        Secret.wipe(secret);
        byte[] dated = null;
        byte[] regional = null;
        byte[] serviced = null;
        byte[] signing = null;
        try {
            dated = hmac(key, STAMP.format(time).substring(0, 8));
            regional = hmac(dated, region);
            serviced = hmac(regional, service);
            signing = hmac(serviced, "aws4_request");
            return hex(hmac(signing, stringToSign));
        } finally {
            Secret.wipe(key);
            Secret.wipe(dated);
            Secret.wipe(regional);
            Secret.wipe(serviced);
            Secret.wipe(signing);
        }
    }

    /** Names in lower case and sorted; values trimmed, inner runs of spaces made one. */
    static Map<String, String> canonicalHeaders(Map<String, String> headers) {
        Map<String, String> canonical = new TreeMap<>();
        headers.forEach((name, value) -> canonical.merge(name.toLowerCase(Locale.ROOT),
                value.strip().replaceAll("\\s+", " "), (a, b) -> a + "," + b));
        return canonical;
    }

    /** "." and ".." resolved, empty segments dropped, each segment encoded (again, as every service but S3 wants). */
    static String canonicalPath(String path) {
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                segments.pollLast();
            } else {
                segments.addLast(segment);
            }
        }
        StringBuilder out = new StringBuilder();
        for (String segment : segments) {
            out.append('/').append(encode(segment));
        }
        boolean trailing = path.endsWith("/") && !segments.isEmpty();
        return out.length() == 0 ? "/" : trailing ? out + "/" : out.toString();
    }

    /** Each name and value decoded, then encoded the one way AWS wants; sorted by name, then value. */
    static String canonicalQuery(String query) {
        List<String[]> pairs = new ArrayList<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            pairs.add(new String[] {encode(decode(name)), encode(decode(value))});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        List<String> joined = new ArrayList<>();
        for (String[] pair : pairs) {
            joined.add(pair[0] + "=" + pair[1]);
        }
        return String.join("&", joined);
    }

    /** RFC 3986 percent-encoding of the UTF-8 bytes: only A-Z a-z 0-9 - . _ ~ stay as they are. */
    static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
        }
        return out.toString();
    }

    /** %XX sequences to bytes; anything else (a '+' too) stays as it is. */
    private static String decode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
                out.write(Integer.parseInt(new String(bytes, i + 1, 2, StandardCharsets.US_ASCII), 16));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this runtime", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this runtime", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
