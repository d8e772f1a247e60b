package dev.bootsecrets.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * A server's {@code Retry-After} on a 429 (too many requests) or 503 (unavailable): how long
 * it asks the client to wait, given as seconds or as an HTTP date (RFC 9110, 10.2.3).
 */
final class RetryAfter {
    private RetryAfter() {}

    /** The wait {@code response} asks for from {@code now}, if it is a 429 or 503 that asks one in a form we read. */
    static Optional<Duration> of(Response response, Instant now) {
        if (response.status() != 429 && response.status() != 503) {
            return Optional.empty();
        }
        String value = response.headers().get("retry-after");
        return value == null ? Optional.empty() : parse(value.strip(), now);
    }

    static Optional<Duration> parse(String value, Instant now) {
        if (value.matches("[0-9]{1,10}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
        } catch (DateTimeParseException e) {
            return Optional.empty(); // not a form the RFC allows: the usual backoff applies
        }
    }

    /** Whole seconds, rounded up, as messages show a wait. */
    static long seconds(Duration wait) {
        return (wait.toMillis() + 999) / 1000;
    }
}
