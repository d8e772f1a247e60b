package dev.bootsecrets.cloud.gcp;

import dev.bootsecrets.cloud.Cloud;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.registry.RegistryException;
import dev.bootsecrets.cloud.registry.RegistryHost;
import dev.bootsecrets.cloud.registry.RegistryToken;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Compute Engine: the metadata server at 169.254.169.254 (metadata.google.internal needs DNS,
 * which may not be up yet) and, on IPv6-only subnets, [fd20:ce::254].
 */
public final class GcpCloud {
    public static final URI IPV6 = URI.create("http://[fd20:ce::254]");
    /** The user Artifact Registry and Container Registry take an OAuth access token as the password of. */
    public static final String REGISTRY_USERNAME = "oauth2accesstoken";
    public static final Cloud CLOUD = new Cloud("gcp", "google-gcp",
            dmi -> dmi.vendor().equals("google") || dmi.product().equals("google compute engine") || dmi.bios().equals("google"),
            GcpProvider.ENDPOINT, Optional.of(IPV6), settings -> false, List.of(),
            w -> w.keys().map(keys -> new GcpProvider(keys, Clock.systemUTC(), w.settings().userData().gcpProjectConfig()))
                    .orElseGet(() -> new GcpProvider(w.endpoint(), w.http(), Clock.systemUTC(),
                            w.settings().userData().gcpProjectConfig())),
            List.of(Source.GCP_SECRET_MANAGER),
            (context, settings) -> new SecretManager(context),
            (settings, client, clock) -> (host, deadline) -> registryToken(settings, host, client.http(), deadline),
            new Cloud.VaultLogin(Cloud.VaultLogin.Form.JWT, Optional.empty(), "none from the provider"));

    private GcpCloud() {}

    /** Artifact Registry's and Container Registry's password: the default service account's access token. */
    private static RegistryToken registryToken(Settings settings, RegistryHost host, MetadataHttp http, Deadline deadline)
            throws RegistryException {
        try {
            // the instance's own scopes: cloud-platform or devstorage.read_only covers pulls
            GcpAccessToken token = GcpAccessToken.fetch(settings.metadataUrl().orElse(CLOUD.pinned(settings)), http, deadline);
            return new RegistryToken(REGISTRY_USERNAME, token.token(), token.expiresAt());
        } catch (MetadataException e) {
            throw new RegistryException(host.host() + ": no service account token: " + e.getMessage());
        }
    }
}
