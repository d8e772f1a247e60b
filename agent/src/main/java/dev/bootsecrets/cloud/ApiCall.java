package dev.bootsecrets.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.EndpointException;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.MetadataUnavailableException;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import java.io.IOException;
import java.net.URI;

/** One request to a cloud's secrets manager, its failure worded for the source it was for. */
public final class ApiCall {
    private ApiCall() {}

    /** The answer whatever its status; 429 and 5xx are retried until the deadline. */
    public static Response send(MetadataHttp api, Request request, Deadline deadline, String reference)
            throws SecretSourceException {
        try {
            return api.send(request, deadline);
        } catch (MetadataUnavailableException e) {
            throw new SecretSourceException(reference + ": no answer before the deadline (" + e.getMessage() + ")", e);
        } catch (EndpointException e) {
            throw new SecretSourceException(reference + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SecretSourceException(reference + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * The error for an answer other than success: the source, why in the project's words, the
     * endpoint and status, and the service's error code when it is a plain word (vetted: the
     * answer is the service's text, and only a known shape of it may reach a message).
     */
    public static SecretSourceException refused(String reference, String reason, URI uri, int status, String code) {
        String vetted = code.matches("[A-Za-z_]{1,64}") ? " " + code : "";
        return new SecretSourceException(reference + ": " + reason + " (" + MetadataHttp.endpoint(uri) + ", HTTP "
                + status + vetted + ")");
    }

    /** The body as JSON, or null when it is none. */
    public static JsonNode json(byte[] body) {
        try {
            return body.length == 0 ? null : new ObjectMapper().readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
