package dev.bootsecrets.http;

/**
 * The deadline passed before the endpoint gave a usable answer (refused, timed out, 5xx), or
 * the endpoint asked for a wait (Retry-After) that would end past it.
 */
public final class MetadataUnavailableException extends EndpointException {

    private MetadataUnavailableException(String endpoint, String reason) {
        super(endpoint, reason);
    }

    /** Nothing usable before the deadline; {@code lastFailure} is the last attempt's reason. */
    static MetadataUnavailableException atDeadline(String endpoint, String lastFailure) {
        return new MetadataUnavailableException(endpoint, "no answer before the deadline (last: " + lastFailure + ")");
    }

    /** The endpoint answered {@code status} and asked to be asked again only after the deadline. */
    static MetadataUnavailableException retryAfter(String endpoint, int status, long askedSeconds, long leftSeconds) {
        return new MetadataUnavailableException(endpoint, "HTTP " + status + ", asked to retry after " + askedSeconds
                + " s, past the deadline (" + leftSeconds + " s left); not waiting");
    }
}
