package dev.bootsecrets.cloud;

import dev.bootsecrets.http.Deadline;
import java.util.Optional;

/**
 * A cloud's metadata read key by key, a key being a path (and query) below the service's data
 * root, as systemd-imdsd names them: {@code /meta-data/instance-id} below AWS's
 * {@code /latest}. The cloud's own HTTP API and systemd-imdsd both serve them.
 */
public interface MetadataKeys {

    /** The value at {@code key}, or empty when the service has none (HTTP 404, KeyNotFound). */
    Optional<byte[]> get(String key, int maxBytes) throws MetadataException;

    /** Where {@code key} is read from, for messages (no query). */
    String endpoint(String key);

    /** How many requests were sent so far. */
    int requests();

    /** Keys read until {@code deadline}; opening may itself ask the service (AWS's token). */
    interface Opener {
        MetadataKeys open(Deadline deadline) throws MetadataException;
    }
}
