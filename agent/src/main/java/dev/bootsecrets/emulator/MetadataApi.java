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
     */
    record Call(String method, String path, Map<String, String> query, Map<String, String> headers) {}

    record Reply(int status, String contentType, byte[] body) {

        static Reply text(byte[] body) {
            return new Reply(200, "text/plain", body);
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
