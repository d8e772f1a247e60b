package dev.bootsecrets.cloud.gcp;

import dev.bootsecrets.cloud.Fetch;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.MetadataKeys;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** The metadata server's keys below /computeMetadata/v1, each GET with the Metadata-Flavor header. */
final class GcpMetadata implements MetadataKeys {
    static final String ROOT = "/computeMetadata/v1";

    private final String base;
    private final MetadataHttp http;
    private final Deadline deadline;
    private final AtomicInteger requests = new AtomicInteger();

    GcpMetadata(URI endpoint, MetadataHttp http, Deadline deadline) {
        this.base = endpoint.toString().replaceAll("/+$", "") + ROOT;
        this.http = http;
        this.deadline = deadline;
    }

    /** The answer, which must carry the Metadata-Flavor header back; empty for a 404. */
    @Override
    public Optional<byte[]> get(String key, int maxBytes) throws MetadataException {
        requests.incrementAndGet();
        URI uri = URI.create(base + key);
        Response response = Fetch.send(http, Request.get(uri, Map.of(GcpProvider.FLAVOR, GcpProvider.GOOGLE), maxBytes), deadline);
        String endpoint = MetadataHttp.endpoint(uri);
        if (!GcpProvider.GOOGLE.equals(response.headers().get("metadata-flavor"))) {
            throw new MetadataException(endpoint, "the answer has no " + GcpProvider.FLAVOR + ": " + GcpProvider.GOOGLE
                    + " header, so this is not a GCP metadata server (HTTP " + response.status() + ")");
        }
        if (response.status() == 404) {
            return Optional.empty();
        }
        if (response.status() != 200) {
            throw new MetadataException(endpoint, "HTTP " + response.status()
                    + (response.status() == 403 ? " (refused: is a proxy in between?)" : ""));
        }
        return Optional.of(response.body());
    }

    @Override
    public String endpoint(String key) {
        int q = key.indexOf('?');
        return base + (q < 0 ? key : key.substring(0, q));
    }

    @Override
    public int requests() {
        return requests.get();
    }
}
