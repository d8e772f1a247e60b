package dev.bootsecrets.cloud.azure;

import dev.bootsecrets.cloud.Cloud;
import java.util.Optional;

/**
 * Azure: IMDS at 169.254.169.254 and the wireserver at 168.63.129.16. Azure documents no IPv6
 * address for IMDS, so an IPv6-only VM has none to fall back to.
 */
public final class AzureCloud {
    /** Every Azure VM's chassis asset tag; Hyper-V elsewhere says "Microsoft Corporation" too, but not this. */
    static final String ASSET_TAG = "7783-7084-3265-9085-8269-3286-77";

    public static final Cloud CLOUD = new Cloud("azure", "microsoft-azure",
            dmi -> dmi.assetTag().equals(ASSET_TAG),
            AzureProvider.IMDS, Optional.empty(),
            w -> new AzureProvider(w.endpoint(), w.settings().azure().wireserver()
                    .orElse(w.settings().metadataUrl().isPresent() ? w.endpoint() : AzureProvider.WIRESERVER),
                    w.settings().azure(), w.root(), w.http(), w.keys()),
            (context, settings) -> new KeyVault(context));

    private AzureCloud() {}
}
