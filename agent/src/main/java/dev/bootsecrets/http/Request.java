package dev.bootsecrets.http;

import java.net.URI;
import java.util.Map;

/**
 * One HTTP request to a metadata or join endpoint.
 *
 * @param headers  header values may hold tokens, so a request never shows them
 * @param body     the request body, or null for none
 * @param maxBytes a response body longer than this is an error
 */
public record Request(String method, URI uri, Map<String, String> headers, byte[] body, int maxBytes) {

    public Request {
        headers = Map.copyOf(headers);
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative");
        }
    }

    public static Request get(URI uri, Map<String, String> headers, int maxBytes) {
        return new Request("GET", uri, headers, null, maxBytes);
    }

    public static Request post(URI uri, Map<String, String> headers, byte[] body, int maxBytes) {
        return new Request("POST", uri, headers, body, maxBytes);
    }

    public static Request put(URI uri, Map<String, String> headers, byte[] body, int maxBytes) {
        return new Request("PUT", uri, headers, body, maxBytes);
    }

    /** Method and endpoint only: headers and body may be secret. */
    @Override
    public String toString() {
        return method + " " + MetadataHttp.endpoint(uri);
    }
}
