package dev.bootsecrets.emulator;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The registry passwords the emulated clouds hand out (ECR's authorization token, ACR's
 * refresh token): derived from the scenario and the registry, so that a test can give its
 * registry the password the emulator will hand out before anything asks for it.
 */
public final class RegistryTokens {
    private RegistryTokens() {}

    /**
     * The password the emulator's {@code cloud} (ecr, acr) hands out for {@code registry}
     * (its host, lower case) in {@code scenario}.
     */
    public static String password(Scenario scenario, String cloud, String registry) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(scenario.instanceId().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((cloud + "\n" + registry).getBytes(StandardCharsets.UTF_8));
            return cloud + "-" + HexFormat.of().formatHex(digest, 0, 20);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing", e);
        }
    }
}
