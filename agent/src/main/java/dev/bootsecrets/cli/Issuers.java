package dev.bootsecrets.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.aws.AwsCredentials;
import dev.bootsecrets.cloud.aws.AwsCloud;
import dev.bootsecrets.cloud.aws.Ecr;
import dev.bootsecrets.cloud.aws.SigV4;
import dev.bootsecrets.cloud.azure.AcrExchange;
import dev.bootsecrets.cloud.azure.AzureProvider;
import dev.bootsecrets.cloud.azure.ManagedIdentity;
import dev.bootsecrets.cloud.gcp.GcpAccessToken;
import dev.bootsecrets.cloud.gcp.GcpCloud;
import dev.bootsecrets.cloud.registry.RegistryException;
import dev.bootsecrets.cloud.registry.RegistryHost;
import dev.bootsecrets.cloud.registry.RegistryLogins.Issuer;
import dev.bootsecrets.cloud.registry.RegistryToken;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Response;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.Map;

/**
 * Which identity gets which registry's tokens, the credential helper's wiring of the clouds:
 * ECR from the instance role's credentials (SigV4), Artifact Registry and Container Registry
 * from the default service account's access token, ACR from the managed identity's token
 * exchanged at the registry. The metadata endpoints are the agent's ({@code metadata.url}
 * overrides them); ECR's API and ACR's exchange can be moved by {@code endpoints.ecr/acr}.
 */
final class Issuers {
    /** The user Artifact Registry and Container Registry take an OAuth access token as the password of. */
    static final String GOOGLE_USERNAME = "oauth2accesstoken";
    private static final int MAX_ANSWER = 64 * 1024;

    private Issuers() {}

    static String username(RegistryHost host) {
        return switch (host) {
            case RegistryHost.Ecr e -> Ecr.USERNAME;
            case RegistryHost.Google g -> GOOGLE_USERNAME;
            case RegistryHost.Acr a -> AcrExchange.USERNAME;
        };
    }

    /** The HTTPS client the issuers share, made when the first of them needs it. */
    interface Client {
        MetadataHttp http() throws RegistryException;
    }

    /** By provider name (aws, gcp, azure), the issuer of that cloud's registries. */
    static Map<String, Issuer> of(Settings settings, Client client, Clock clock) {
        return Map.of(
                "aws", (host, deadline) -> ecr(settings, (RegistryHost.Ecr) host, client.http(), deadline, clock),
                "gcp", (host, deadline) -> google(settings, host, client.http(), deadline),
                "azure", (host, deadline) -> acr(settings, host, client.http(), deadline, clock));
    }

    private static RegistryToken ecr(Settings settings, RegistryHost.Ecr host, MetadataHttp http, Deadline deadline,
            Clock clock) throws RegistryException {
        URI imds = settings.metadataUrl().orElse(AwsCloud.CLOUD.pinned(settings));
        AwsCredentials credentials;
        try {
            credentials = AwsCredentials.fromImds(imds, settings.aws().imdsv1(), http, deadline).inRegion(host.region());
        } catch (MetadataException e) {
            throw new RegistryException(host.host() + ": no role credentials: " + e.getMessage());
        }
        URI endpoint = URI.create(settings.endpoints().ecr().map(t -> t.replace(Settings.Endpoints.REGION, host.region()))
                .orElse("https://" + host.apiHost()) + "/");
        var request = SigV4.post(endpoint,
                Map.of("Content-Type", Ecr.CONTENT_TYPE, "X-Amz-Target", Ecr.TARGET),
                Ecr.body(host), MAX_ANSWER, host.region(), Ecr.SERVICE, credentials, clock.instant());
        Response response;
        try {
            response = http.send(request, deadline);
        } catch (IOException e) {
            throw new RegistryException(host.host() + ": ECR's GetAuthorizationToken failed: " + e.getMessage());
        }
        if (response.status() != 200) {
            throw new RegistryException(host.host() + ": " + MetadataHttp.endpoint(endpoint) + " refused GetAuthorizationToken (HTTP "
                    + response.status() + errorType(response.body()) + "); the instance role needs ecr:GetAuthorizationToken"
                    + " and pull permissions on the repository");
        }
        return Ecr.parse(host, response.body());
    }

    private static RegistryToken google(Settings settings, RegistryHost host, MetadataHttp http, Deadline deadline)
            throws RegistryException {
        try {
            // the instance's own scopes: cloud-platform or devstorage.read_only covers pulls
            GcpAccessToken token = GcpAccessToken.fetch(settings.metadataUrl().orElse(GcpCloud.CLOUD.pinned(settings)), http, deadline);
            return new RegistryToken(GOOGLE_USERNAME, token.token(), token.expiresAt());
        } catch (MetadataException e) {
            throw new RegistryException(host.host() + ": no service account token: " + e.getMessage());
        }
    }

    private static RegistryToken acr(Settings settings, RegistryHost host, MetadataHttp http, Deadline deadline,
            Clock clock) throws RegistryException {
        ManagedIdentity identity;
        try {
            identity = ManagedIdentity.fetch(settings.metadataUrl().orElse(AzureProvider.IMDS), ManagedIdentity.MANAGEMENT,
                    http, deadline).orElseThrow(() -> new RegistryException(host.host()
                            + ": no managed identity is assigned to this VM"));
        } catch (MetadataException e) {
            throw new RegistryException(host.host() + ": no managed identity token: " + e.getMessage());
        }
        URI endpoint = settings.endpoints().acr().map(t -> URI.create(t.replace(Settings.Endpoints.REGISTRY, host.host())))
                .orElse(AcrExchange.endpoint(host.host()));
        return AcrExchange.exchange(http, endpoint, host.host(), identity.token(), deadline, clock);
    }

    /** AWS's error code ({@code __type}, e.g. AccessDeniedException), when it is one: never other text of the body. */
    private static String errorType(byte[] body) {
        try {
            JsonNode node = new ObjectMapper().readTree(body);
            String type = node == null ? "" : node.path("__type").asText("");
            type = type.substring(type.lastIndexOf('#') + 1);
            return type.matches("[A-Za-z]{1,64}") ? ", " + type : "";
        } catch (IOException e) {
            return "";
        }
    }
}
