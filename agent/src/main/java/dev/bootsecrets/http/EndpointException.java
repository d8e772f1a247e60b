package dev.bootsecrets.http;

import java.io.IOException;

/**
 * A request failed for good (not worth retrying, or the deadline passed). The message
 * names the endpoint and a reason made by this package, never a header or body.
 */
public class EndpointException extends IOException {
    private final String endpoint;
    private final String reason;

    public EndpointException(String endpoint, String reason) {
        super(endpoint + ": " + reason);
        this.endpoint = endpoint;
        this.reason = reason;
    }

    public EndpointException(String endpoint, String reason, Throwable cause) {
        this(endpoint, reason);
        initCause(cause);
    }

    /** Scheme, authority and path of the request; no query. */
    public String endpoint() {
        return endpoint;
    }

    public String reason() {
        return reason;
    }
}
