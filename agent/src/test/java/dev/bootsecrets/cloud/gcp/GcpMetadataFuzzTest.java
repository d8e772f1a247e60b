package dev.bootsecrets.cloud.gcp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Redaction;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Fuzz target: the recursive answer of the GCP metadata server, read into the instance's metadata. */
class GcpMetadataFuzzTest {
    private static final GcpProvider PROVIDER =
            new GcpProvider(URI.create("http://127.0.0.1:1"), MetadataHttp.create(), Clock.systemUTC(), true);

    /**
     * A fuzzed ssh-keys attribute has a bad line in every other line, and each one logs a warning:
     * the lines are still formatted and redacted, but written nowhere, or printing them would be
     * most of what the fuzzer measures.
     */
    @BeforeAll
    static void logNowhere() {
        Log.configure(new PrintStream(OutputStream.nullOutputStream()), false);
    }

    @AfterAll
    static void logToStderr() {
        Log.configure(System.err, false);
    }

    @FuzzTest(maxDuration = "10s")
    void recursiveAnswer(byte[] body) {
        // One input is one run: without this the redaction net keeps every earlier input's
        // values, and each log line is checked against all of them.
        Redaction.forget();
        try {
            PROVIDER.read("metadata", GcpProvider.parse("metadata", body), Set.of("registry-token"), CompletableFuture.completedFuture(Optional.empty()));
        } catch (MetadataException e) {
            // refused, naming the endpoint
        }
    }
}
