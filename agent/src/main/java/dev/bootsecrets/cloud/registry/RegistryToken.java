package dev.bootsecrets.cloud.registry;

import dev.bootsecrets.secret.Secret;
import java.time.Instant;

/**
 * A login to one registry as the credential helper hands it out: a fixed user name per cloud,
 * a token, and when the token stops working.
 */
public record RegistryToken(String username, Secret secret, Instant expiresAt) {
    /** Whether it is still good for at least {@code margin} seconds after {@code now}. */
    public boolean freshAt(Instant now, long margin) {
        return expiresAt.isAfter(now.plusSeconds(margin));
    }
}
