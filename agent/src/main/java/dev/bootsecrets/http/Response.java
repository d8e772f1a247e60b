package dev.bootsecrets.http;

import java.util.Map;

/**
 * One HTTP response, read whole (within the request's size limit).
 *
 * @param headers header names in lower case; repeated headers joined with ", "
 */
public record Response(int status, Map<String, String> headers, byte[] body) {

    public Response {
        headers = Map.copyOf(headers);
    }

    /** Status and size only: the body may be secret. */
    @Override
    public String toString() {
        return "HTTP " + status + " (" + body.length + " bytes)";
    }
}
