package dev.bootsecrets.cloud.gcp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.http.MetadataHttp;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Fuzz target: the recursive answer of the GCP metadata server, read into the instance's metadata. */
class GcpMetadataFuzzTest {
    private static final GcpProvider PROVIDER =
            new GcpProvider(URI.create("http://127.0.0.1:1"), MetadataHttp.create(), Clock.systemUTC(), true);

    @FuzzTest(maxDuration = "10s")
    void recursiveAnswer(byte[] body) {
        try {
            PROVIDER.read(PROVIDER.parse(body), Set.of("registry-token"), CompletableFuture.completedFuture(Optional.empty()));
        } catch (MetadataException e) {
            // refused, naming the endpoint
        }
    }
}
