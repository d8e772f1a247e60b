package dev.bootsecrets.cli;

import dev.bootsecrets.cloud.aws.Ecr;
import dev.bootsecrets.cloud.azure.AcrExchange;
import dev.bootsecrets.cloud.registry.RegistryHost;
import dev.bootsecrets.cloud.registry.RegistryLogins.Issuer;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.http.MetadataHttp;
import java.time.Clock;
import java.util.Map;

/** Which identity gets which registry's tokens: the credential helper's wiring of the clouds. */
final class Issuers {
    /** The user Artifact Registry and Container Registry take an OAuth access token as the password of. */
    static final String GOOGLE_USERNAME = "oauth2accesstoken";

    private Issuers() {}

    static String username(RegistryHost host) {
        return switch (host) {
            case RegistryHost.Ecr e -> Ecr.USERNAME;
            case RegistryHost.Google g -> GOOGLE_USERNAME;
            case RegistryHost.Acr a -> AcrExchange.USERNAME;
        };
    }

    /** By provider name, the issuers of the clouds whose identities this build can ask. */
    static Map<String, Issuer> of(Settings settings, MetadataHttp http, Clock clock) {
        return Map.of();
    }
}
