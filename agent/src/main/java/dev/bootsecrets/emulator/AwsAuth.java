package dev.bootsecrets.emulator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.bootsecrets.cloud.aws.AwsCredentials;
import dev.bootsecrets.cloud.aws.SigV4;
import dev.bootsecrets.emulator.MetadataApi.Call;
import dev.bootsecrets.emulator.MetadataApi.Reply;
import dev.bootsecrets.secret.Secret;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an AWS service checks of a SigV4-signed request of the instance role, in AWS's order
 * and with its error shapes (JSON protocol: {@code __type} and {@code message}, HTTP 403 or
 * 400): the access key is the role's, the session token is the role's and not expired, the
 * time is within five minutes, the scope names this region and service, and the signature
 * is the one the role's secret key makes.
 */
final class AwsAuth {
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)/([0-9]{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request, ?"
                    + "SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Duration SKEW = Duration.ofMinutes(5);

    private AwsAuth() {}

    /**
     * The error to answer, or empty when {@code call} is signed by {@code role} for
     * {@code region} and {@code service}.
     *
     * @param role   null when the instance has no role: no key is known
     * @param region the region the scope must name; null for any (a service of every region)
     */
    static Optional<Reply> refusal(Call call, AwsKeys role, String region, String service) {
        String authorization = call.headers().getOrDefault("authorization", "");
        if (authorization.isEmpty()) {
            return Optional.of(error(400, "MissingAuthenticationTokenException", "Missing Authentication Token"));
        }
        Matcher m = AUTHORIZATION.matcher(authorization);
        if (!m.matches()) {
            return Optional.of(error(400, "IncompleteSignatureException", "Authorization header requires 'Credential',"
                    + " 'Signature' and 'SignedHeaders' parameters."));
        }
        if (role == null || !role.accessKeyId().equals(m.group(1))) {
            return Optional.of(error(403, "UnrecognizedClientException", "The security token included in the request is invalid."));
        }
        if (!same(role.sessionToken(), call.headers().getOrDefault("x-amz-security-token", ""))) {
            return Optional.of(error(403, "UnrecognizedClientException", "The security token included in the request is invalid."));
        }
        if (!Instant.now().isBefore(role.expiration())) {
            return Optional.of(error(403, "ExpiredTokenException", "The security token included in the request is expired"));
        }
        Instant time;
        try {
            time = Instant.from(STAMP.parse(call.headers().getOrDefault("x-amz-date", "")));
        } catch (DateTimeParseException e) {
            return Optional.of(error(400, "IncompleteSignatureException", "X-Amz-Date is missing or not a date"));
        }
        if (Duration.between(time, Instant.now()).abs().compareTo(SKEW) > 0) {
            return Optional.of(error(403, "InvalidSignatureException", "Signature expired: the request time is more than"
                    + " 5 minutes from the current time."));
        }
        String scoped = m.group(3);
        if (!m.group(2).equals(STAMP.format(time).substring(0, 8)) || (region != null && !scoped.equals(region))
                || !m.group(4).equals(service)) {
            return Optional.of(error(403, "InvalidSignatureException", "Credential should be scoped to a valid region"
                    + " and service, and to the date of X-Amz-Date."));
        }
        Map<String, String> signed = new LinkedHashMap<>();
        for (String name : m.group(5).split(";")) {
            if (!call.headers().containsKey(name)) {
                return Optional.of(error(403, "InvalidSignatureException", "A signed header is missing from the request."));
            }
            signed.put(name, call.headers().get(name));
        }
        if (!signed.containsKey("host") || !signed.containsKey("x-amz-date")) {
            return Optional.of(error(403, "InvalidSignatureException", "Host and X-Amz-Date must be signed."));
        }
        AwsCredentials keys = new AwsCredentials(role.accessKeyId(), Secret.ofUtf8(role.secretAccessKey()),
                Secret.ofUtf8(role.sessionToken()), role.expiration(), scoped);
        // the AWS JSON APIs the emulator serves take no query: a request with one fails here
        String expected = SigV4.authorization(call.method(), call.path(), "", signed, call.body(), scoped,
                service, keys, time);
        if (!same(expected, authorization.replace(", ", ",").replace(",", ", "))) {
            return Optional.of(error(403, "InvalidSignatureException", "The request signature we calculated does not"
                    + " match the signature you provided. Check your AWS Secret Access Key and signing method."));
        }
        return Optional.empty();
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** The JSON protocol's error: {@code {"__type", "message"}}, with x-amzn-ErrorType. */
    static Reply error(int status, String type, String message) {
        return new Reply(status, "application/x-amz-json-1.1",
                JsonNodeFactory.instance.objectNode().put("__type", type).put("message", message).toString()
                        .getBytes(StandardCharsets.UTF_8))
                .withHeader("x-amzn-ErrorType", type);
    }
}
