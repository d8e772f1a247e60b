package dev.bootsecrets.cloud.azure;

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
import java.util.OptionalInt;

/**
 * Azure: IMDS at 169.254.169.254 and the wireserver at 168.63.129.16. Azure documents no IPv6
 * address for IMDS, so an IPv6-only VM has none to fall back to.
 */
public final class AzureCloud {
    /** Every Azure VM's chassis asset tag; Hyper-V elsewhere says "Microsoft Corporation" too, but not this. */
    static final String ASSET_TAG = "7783-7084-3265-9085-8269-3286-77";
    /** The wireserver also answers DNS (port 53), which every process needs. */
    private static final int DNS = 53;

    public static final Cloud CLOUD = new Cloud("azure", "microsoft-azure",
            dmi -> dmi.assetTag().equals(ASSET_TAG),
            AzureProvider.IMDS, Optional.empty(), settings -> false,
            List.of(new Cloud.Guarded(AzureProvider.WIRESERVER.getHost(), OptionalInt.of(DNS))),
            w -> new AzureProvider(w.endpoint(), w.settings().azure().wireserver()
                    .orElse(w.settings().metadataUrl().isPresent() ? w.endpoint() : AzureProvider.WIRESERVER),
                    w.settings().azure(), w.root(), w.http(), w.keys()),
            List.of(Source.AZURE_KEY_VAULT),
            (context, settings) -> new KeyVault(context),
            (settings, client, clock) -> (host, deadline) -> acr(settings, host, client.http(), deadline, clock),
            // Vault's azure method wants a token for its configured resource, by default this one
            new Cloud.VaultLogin(Cloud.VaultLogin.Form.JWT_WITH_RESOURCE, Optional.of(ManagedIdentity.MANAGEMENT),
                    "none: no managed identity is assigned to this VM"));

    private AzureCloud() {}

    /** ACR's refresh token: the managed identity's token exchanged at the registry ({@code endpoints.acr} may move it). */
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
}
