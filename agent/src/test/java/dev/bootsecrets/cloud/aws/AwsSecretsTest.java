package dev.bootsecrets.cloud.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bootsecrets.cloud.SecretSourceException;
import dev.bootsecrets.cloud.SecretStore;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.emulator.Emulator;
import dev.bootsecrets.emulator.Scenario;
import dev.bootsecrets.testing.Emulated;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The AWS store against the emulator: a service that keeps refusing until the deadline is an error naming the source. */
class AwsSecretsTest {
    @RegisterExtension
    final Emulated cloud = new Emulated();

    @Test
    void throttledOrUnavailablePastTheDeadlineNamesTheSourceAndNoValue() throws Exception {
        Emulator emulator = cloud.start("aws", Scenario.sample("aws").withSecrets(
                new Scenario.Secrets(Map.of(), Map.of("/a/b", "value-Lk3"), Map.of(), Map.of(), List.of())));
        String url = emulator.url().toString();
        Settings.Endpoints endpoints = new Settings.Endpoints(url, url, url, url);
        AwsSecrets store = new AwsSecrets(
                new SecretStore.Context(emulator.url(), endpoints, cloud.http(), cloud.http(), Emulated.seconds(2)), false);
        Source.AwsParameter parameter = new Source.AwsParameter("/a/b", Optional.empty());
        assertEquals("value-Lk3", store.read(parameter).utf8(), "the credentials are fetched once, here");

        emulator.faults().failNext(10_000);
        SecretSourceException e = assertThrows(SecretSourceException.class, () -> store.read(parameter));

        assertTrue(e.getMessage().startsWith("aws-ssm:/a/b: no answer before the deadline"), e.getMessage());
        assertFalse(e.getMessage().contains("value-Lk3"));
    }
}
