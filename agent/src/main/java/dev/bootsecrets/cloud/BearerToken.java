package dev.bootsecrets.cloud;

import dev.bootsecrets.secret.Secret;
import java.time.Duration;
import java.time.Instant;

/** An OAuth access token of the instance's cloud identity, sent as {@code Authorization: Bearer TOKEN}. */
public interface BearerToken {

    Secret token();

    /** When the token stops working. */
    Instant expiresAt();

    /** Whether the token is expired, or will be within {@code margin} of {@code now}. */
    default boolean expiresWithin(Duration margin, Instant now) {
        return !now.plus(margin).isBefore(expiresAt());
    }

    /** The Authorization header's value; for a request's headers, never for a message. */
    default String bearer() {
        return "Bearer " + token().utf8();
    }
}
