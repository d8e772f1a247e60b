package dev.bootsecrets.join.vault;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.EndpointException;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.join.JoinException;
import dev.bootsecrets.join.Json;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Vault's (or OpenBao's) HTTP API under {@code /v1/}: JSON bodies, the token in
 * {@code X-Vault-Token}, and errors as {@code {"errors": [...]}}. Sealed or standby answers
 * (5xx) are retried until the join's deadline.
 */
final class VaultClient {
    static final int MAX_RESPONSE = 1024 * 1024;

    /** One answer: its status, its JSON (a missing node if none), and the request, for messages. */
    record Reply(int status, JsonNode json, String request) {
        /** The JSON of a 2xx answer; any other is the join's failure, by its status. */
        JsonNode ok() throws JoinException {
            if (status / 100 != 2) {
                throw failure("");
            }
            return json;
        }

        /**
         * "vault POST /v1/auth/approle/login: HTTP 403 (permission denied)", plus {@code why}: the
         * status and a fixed phrase. Vault's {@code errors} are not shown; they may quote the request.
         */
        JoinException failure(String why) {
            return new JoinException("vault " + request + ": HTTP " + status + " (" + phrase(status) + ")" + why);
        }
    }

    private final URI address;
    private final MetadataHttp http;
    private final Deadline deadline;

    VaultClient(URI address, MetadataHttp http, Deadline deadline) {
        this.address = address;
        this.http = http;
        this.deadline = deadline;
    }

    /** The same Vault with another deadline (revoking the token gets its own short one). */
    VaultClient until(Deadline other) {
        return new VaultClient(address, http, other);
    }

    Reply post(String path, Optional<Secret> token, Map<String, ?> fields) throws JoinException {
        byte[] body = Json.object(fields);
        try {
            return send(new Request("POST", uri(path), headers(token), body, MAX_RESPONSE), "POST /v1/" + path);
        } finally {
            Secret.wipe(body);
        }
    }

    Reply get(String path, Secret token) throws JoinException {
        return send(Request.get(uri(path), headers(Optional.of(token)), MAX_RESPONSE), "GET /v1/" + path);
    }

    private Reply send(Request request, String what) throws JoinException {
        Response response;
        try {
            response = http.send(request, deadline);
        } catch (IOException e) {
            throw new JoinException("vault " + what + ": " + reason(e));
        }
        try {
            return new Reply(response.status(), Json.parse(response.body()), what);
        } finally {
            Secret.wipe(response.body());
        }
    }

    /** The http package's reason (it names the endpoint, which the message already has). */
    private static String reason(IOException e) {
        return e instanceof EndpointException endpoint ? endpoint.reason() : e.getClass().getSimpleName();
    }

    private URI uri(String path) {
        String base = address.toString();
        return URI.create((base.endsWith("/") ? base : base + "/") + "v1/" + path);
    }

    private static Map<String, String> headers(Optional<Secret> token) {
        Map<String, String> headers = new HashMap<>(Map.of("Content-Type", "application/json", "Accept", "application/json"));
        token.ifPresent(t -> headers.put("X-Vault-Token", t.utf8()));
        return headers;
    }

    /** What Vault's documented status codes mean. */
    static String phrase(int status) {
        return switch (status) {
            case 400 -> "invalid request";
            case 401, 403 -> "permission denied";
            case 404 -> "no such path";
            case 405 -> "unsupported operation";
            case 412 -> "precondition failed";
            case 429 -> "too many requests, or a standby node";
            case 473 -> "performance standby node";
            case 500 -> "internal error";
            case 501 -> "not initialized";
            case 502 -> "error from a remote service";
            case 503 -> "sealed or in maintenance";
            default -> "refused";
        };
    }
}
