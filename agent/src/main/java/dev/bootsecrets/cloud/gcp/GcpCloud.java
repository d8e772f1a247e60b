package dev.bootsecrets.cloud.gcp;

import dev.bootsecrets.cloud.Cloud;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;

/**
 * Compute Engine: the metadata server at 169.254.169.254 (metadata.google.internal needs DNS,
 * which may not be up yet) and, on IPv6-only subnets, [fd20:ce::254].
 */
public final class GcpCloud {
    public static final URI IPV6 = URI.create("http://[fd20:ce::254]");
    public static final Cloud CLOUD = new Cloud("gcp", "google-gcp",
            dmi -> dmi.vendor().equals("google") || dmi.product().equals("google compute engine") || dmi.bios().equals("google"),
            GcpProvider.ENDPOINT, Optional.of(IPV6),
            w -> w.keys().map(keys -> new GcpProvider(keys, Clock.systemUTC(), w.settings().userData().gcpProjectConfig()))
                    .orElseGet(() -> new GcpProvider(w.endpoint(), w.http(), Clock.systemUTC(),
                            w.settings().userData().gcpProjectConfig())),
            (context, settings) -> new SecretManager(context));

    private GcpCloud() {}
}
