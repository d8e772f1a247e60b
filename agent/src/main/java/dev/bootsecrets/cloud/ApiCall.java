package dev.bootsecrets.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.EndpointException;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.MetadataUnavailableException;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.json.JsonTree;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.net.URI;
import java.util.regex.Pattern;

/** One request to a cloud's secrets manager, its failure worded for the source it was for. */
public final class ApiCall {
    private ApiCall() {}

    /** A secrets manager's answer: its status, and its body as JSON (null when it is none). */
    public record Answer(int status, JsonNode json) {}

    /**
     * The answer whatever its status; 429 and 5xx are retried until the deadline. The raw body,
     * which holds the value, is wiped once it is read as JSON.
     */
    public static Answer send(MetadataHttp api, Request request, Deadline deadline, String reference)
            throws SecretSourceException {
        Response response;
        try {
            response = api.send(request, deadline);
        } catch (MetadataUnavailableException e) {
            throw new SecretSourceException(reference + ": no answer before the deadline (" + e.getMessage() + ")", e);
        } catch (EndpointException e) {
            throw new SecretSourceException(reference + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SecretSourceException(reference + ": " + e.getClass().getSimpleName(), e);
        }
        byte[] body = response.body();
        try {
            return new Answer(response.status(), json(body));
        } finally {
            Secret.wipe(body);
        }
    }

    /**
     * The error for an answer other than success: the source, why in the project's words, the
     * endpoint and status, and the service's error code when it has the service's own shape of
     * one ({@code codeShape}: the answer is the service's text, and only that may reach a message).
     */
    public static SecretSourceException refused(String reference, String reason, URI uri, int status, String code,
            Pattern codeShape) {
        String vetted = codeShape.matcher(code).matches() ? " " + code : "";
        return new SecretSourceException(reference + ": " + reason + " (" + MetadataHttp.endpoint(uri) + ", HTTP "
                + status + vetted + ")");
    }

    private static JsonNode json(byte[] body) {
        try {
            return body.length == 0 ? null : JsonTree.read(body);
        } catch (IOException e) {
            return null;
        }
    }
}
