package dev.bootsecrets.emulator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The instance role's temporary credentials the emulated IMDS hands out, kept so the emulated
 * AWS services can check a request's signature and session token as AWS does.
 *
 * @param accessKeyId     ASIA..., as temporary keys are
 * @param secretAccessKey random, 40 characters
 * @param sessionToken    random; the services refuse any other
 * @param expiration      after this the services answer ExpiredTokenException
 */
record AwsKeys(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {
    private static final SecureRandom RANDOM = new SecureRandom();

    static AwsKeys issue(int seconds) {
        byte[] id = new byte[8];
        byte[] secret = new byte[30];
        byte[] token = new byte[96];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        RANDOM.nextBytes(token);
        return new AwsKeys("ASIA" + HexFormat.of().formatHex(id).toUpperCase(Locale.ROOT),
                Base64.getEncoder().encodeToString(secret), Base64.getEncoder().encodeToString(token),
                Instant.now().plusSeconds(seconds).truncatedTo(ChronoUnit.SECONDS));
    }

    /** The JSON IMDS serves under iam/security-credentials/ROLE. */
    String json() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return JsonNodeFactory.instance.objectNode()
                .put("Code", "Success")
                .put("LastUpdated", now.toString())
                .put("Type", "AWS-HMAC")
                .put("AccessKeyId", accessKeyId)
                .put("SecretAccessKey", secretAccessKey)
                .put("Token", sessionToken)
                .put("Expiration", expiration.toString())
                .toPrettyString();
    }
}
