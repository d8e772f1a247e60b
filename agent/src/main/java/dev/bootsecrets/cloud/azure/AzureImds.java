package dev.bootsecrets.cloud.azure;

import dev.bootsecrets.cloud.Fetch;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Request;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.log.Log;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** One GET to Azure's IMDS, with its Metadata header, asked again while IMDS says 410 or 429. */
final class AzureImds {
    static final int MAX_ANSWER = 4 << 20;
    /** IMDS answers 410 while it starts and 429 when asked too often; both mean "try again". */
    private static final Duration RETRY_PAUSE = Duration.ofMillis(500);

    private AzureImds() {}

    /** The answer, whatever its status; {@code requests} counts every one sent. */
    static Response get(MetadataHttp http, URI uri, Deadline deadline, AtomicInteger requests) throws MetadataException {
        while (true) {
            requests.incrementAndGet();
            Response response = Fetch.send(http, Request.get(uri, Map.of("Metadata", "true"), MAX_ANSWER), deadline);
            Msp.check(response, MetadataHttp.endpoint(uri), "IMDS");
            int status = response.status();
            if ((status != 410 && status != 429) || deadline.remaining().compareTo(RETRY_PAUSE) < 0) {
                return response;
            }
            Log.info("azure: " + uri.getPath() + " answered HTTP " + status + "; asking again");
            try {
                Thread.sleep(RETRY_PAUSE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MetadataException(MetadataHttp.endpoint(uri), "interrupted while reading metadata", e);
            }
        }
    }
}
