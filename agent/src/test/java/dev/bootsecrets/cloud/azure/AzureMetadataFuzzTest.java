package dev.bootsecrets.cloud.azure;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.MetadataHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Fuzz targets: Azure IMDS's instance answer (JSON) and the provisioning media's ovf-env.xml. */
class AzureMetadataFuzzTest {
    private static final URI LOCAL = URI.create("http://127.0.0.1:1");
    private static final AzureProvider PROVIDER = provider();

    @FuzzTest(maxDuration = "10s")
    void instanceAnswer(byte[] body) {
        try {
            PROVIDER.read(PROVIDER.parse(AzureProvider.INSTANCE, body), Set.of("registry-token"),
                    CompletableFuture.completedFuture(Optional.empty()));
        } catch (MetadataException e) {
            // refused, naming the endpoint
        }
    }

    @FuzzTest(maxDuration = "10s")
    void ovfEnv(byte[] file) {
        try {
            OvfEnv.customData(file, "/run/ovf-env.xml");
        } catch (MetadataException e) {
            // refused, naming the file
        }
    }

    private static AzureProvider provider() {
        try {
            TargetRoot root = TargetRoot.open(Files.createTempDirectory("fuzz-azure"));
            return new AzureProvider(LOCAL, LOCAL, Settings.Azure.DEFAULT, root, MetadataHttp.create());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
