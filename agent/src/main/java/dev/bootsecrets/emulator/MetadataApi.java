package dev.bootsecrets.emulator;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One cloud's metadata API answering from a {@link Scenario}. The {@link Emulator} wraps it
 * with the request log and the faults, so a new cloud is one new implementation.
 */
interface MetadataApi {

    Reply answer(Call call);

    /**
     * @param path    decoded path, without the query
     * @param query   decoded query parameters (the first of each name)
     * @param headers request headers by lower-case name (the first of each name)
     * @param body    the request body (empty for none)
     */
    record Call(String method, String path, Map<String, String> query, Map<String, String> headers, byte[] body) {}

    /** @param headers more response headers (Content-Type is set from {@code contentType}) */
    record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {

        Reply(int status, String contentType, byte[] body) {
            this(status, contentType, body, Map.of());
        }

        static Reply text(byte[] body) {
            return new Reply(200, "text/plain", body);
        }

        static Reply json(int status, String body) {
            return new Reply(status, "application/json; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
        }

        Reply withHeader(String name, String value) {
            Map<String, String> more = new java.util.LinkedHashMap<>(headers);
            more.put(name, value);
            return new Reply(status, contentType, body, more);
        }

        static Reply text(String body) {
            return text(body.getBytes(StandardCharsets.UTF_8));
        }

        /** A status with no body. */
        static Reply status(int status) {
            return new Reply(status, "text/plain", new byte[0]);
        }
    }
}
