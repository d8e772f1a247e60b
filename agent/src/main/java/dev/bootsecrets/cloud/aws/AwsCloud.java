package dev.bootsecrets.cloud.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.cloud.Cloud;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.registry.RegistryException;
import dev.bootsecrets.cloud.registry.RegistryHost;
import dev.bootsecrets.cloud.registry.RegistryToken;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.http.Response;
import dev.bootsecrets.json.JsonTree;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** EC2: IMDS at 169.254.169.254 and, on Nitro instances launched with it enabled, [fd00:ec2::254]. */
public final class AwsCloud {
    private static final int MAX_ANSWER = 64 * 1024;

    /** Nitro instances say "Amazon EC2"; older Xen ones only carry "amazon" in the version. */
    public static final Cloud CLOUD = new Cloud("aws", "amazon-ec2",
            dmi -> dmi.vendor().contains("amazon ec2") || dmi.bios().contains("amazon ec2") || dmi.version().contains("amazon"),
            AwsProvider.IPV4, Optional.of(AwsProvider.IPV6), settings -> settings.aws().ipv6(), List.of(),
            w -> w.keys().map(AwsProvider::new).orElseGet(() -> new AwsProvider(w.endpoint(), w.settings().aws(), w.http())),
            List.of(Source.AWS_SECRETS_MANAGER, Source.AWS_SSM),
            (context, settings) -> new AwsSecrets(context, settings.aws().imdsv1()),
            (settings, client, clock) -> (host, deadline) -> ecr(settings, (RegistryHost.Ecr) host, client.http(), deadline, clock),
            new Cloud.VaultLogin(Cloud.VaultLogin.Form.PKCS7_WITH_NONCE, Optional.empty(), "none from the provider"));

    private AwsCloud() {}

    /** ECR's token, from the instance role's credentials (SigV4); {@code endpoints.ecr} may move ECR's API. */
    private static RegistryToken ecr(Settings settings, RegistryHost.Ecr host, MetadataHttp http, Deadline deadline,
            Clock clock) throws RegistryException {
        URI imds = settings.metadataUrl().orElse(CLOUD.pinned(settings));
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

    /** AWS's error code ({@code __type}, e.g. AccessDeniedException), when it is one: never other text of the body. */
    private static String errorType(byte[] body) {
        try {
            JsonNode node = JsonTree.read(body);
            String type = node == null ? "" : node.path("__type").asText("");
            type = type.substring(type.lastIndexOf('#') + 1);
            return type.matches("[A-Za-z]{1,64}") ? ", " + type : "";
        } catch (IOException e) {
            return "";
        }
    }
}
