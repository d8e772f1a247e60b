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

    /** The body as JSON, or null when it is none. */
    public static JsonNode json(byte[] body) {
        try {
            return body.length == 0 ? null : new ObjectMapper().readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
