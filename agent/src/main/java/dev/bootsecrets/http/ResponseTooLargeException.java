package dev.bootsecrets.http;

/**
 * The endpoint answered, with a body over the request's limit: bad content, not an outage,
 * so no retry and no "unreachable" (a run reports it as invalid input).
 */
public final class ResponseTooLargeException extends EndpointException {

    public ResponseTooLargeException(String endpoint, int maxBytes) {
        super(endpoint, "response larger than " + maxBytes + " bytes");
    }
}
