package dev.bootsecrets.cloud.aws;

import dev.bootsecrets.cloud.Cloud;
import java.util.Optional;

/** EC2: IMDS at 169.254.169.254 and, on Nitro instances launched with it enabled, [fd00:ec2::254]. */
public final class AwsCloud {
    /** Nitro instances say "Amazon EC2"; older Xen ones only carry "amazon" in the version. */
    public static final Cloud CLOUD = new Cloud("aws", "amazon-ec2",
            dmi -> dmi.vendor().contains("amazon ec2") || dmi.bios().contains("amazon ec2") || dmi.version().contains("amazon"),
            AwsProvider.IPV4, Optional.of(AwsProvider.IPV6),
            w -> w.keys().map(AwsProvider::new).orElseGet(() -> new AwsProvider(w.endpoint(), w.settings().aws(), w.http())),
            (context, settings) -> new AwsSecrets(context, settings.aws().imdsv1()));

    private AwsCloud() {}
}
