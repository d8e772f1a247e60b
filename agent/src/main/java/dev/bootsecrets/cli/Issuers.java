package dev.bootsecrets.cli;

import dev.bootsecrets.cloud.Cloud;
import dev.bootsecrets.cloud.aws.Ecr;
import dev.bootsecrets.cloud.azure.AcrExchange;
import dev.bootsecrets.cloud.gcp.GcpCloud;
import dev.bootsecrets.cloud.registry.RegistryHost;
import dev.bootsecrets.cloud.registry.RegistryLogins;
import dev.bootsecrets.cloud.registry.RegistryLogins.Issuer;
import dev.bootsecrets.cloud.stage.Providers;
import dev.bootsecrets.config.Settings;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Which identity gets which registry's tokens, the credential helper's wiring of the clouds:
 * each cloud's descriptor makes the issuer of its registries (ECR from the instance role,
 * Artifact Registry from the service account, ACR from the managed identity). The metadata
 * endpoints are the agent's ({@code metadata.url} overrides them); ECR's API and ACR's exchange
 * can be moved by {@code endpoints.ecr/acr}.
 */
final class Issuers {
    private Issuers() {}

    static String username(RegistryHost host) {
        return switch (host) {
            case RegistryHost.Ecr e -> Ecr.USERNAME;
            case RegistryHost.Google g -> GcpCloud.REGISTRY_USERNAME;
            case RegistryHost.Acr a -> AcrExchange.USERNAME;
        };
    }

    /** By provider name (aws, gcp, azure), the issuer of that cloud's registries. */
    static Map<String, Issuer> of(Settings settings, RegistryLogins.Client client, Clock clock) {
        return Providers.CLOUDS.stream()
                .collect(Collectors.toUnmodifiableMap(Cloud::name, c -> c.registries().make(settings, client, clock)));
    }
}
