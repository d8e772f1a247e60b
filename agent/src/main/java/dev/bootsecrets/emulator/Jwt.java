package dev.bootsecrets.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/** The tokens of the emulated identity endpoints: a JWT's header and payload, with random bytes for the signature. */
final class Jwt {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Jwt() {}

    static String of(ObjectNode payload) {
        byte[] signature = new byte[256];
        RANDOM.nextBytes(signature);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = "{\"alg\":\"RS256\",\"kid\":\"emulator\",\"typ\":\"JWT\"}";
        return b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(signature);
    }
}
