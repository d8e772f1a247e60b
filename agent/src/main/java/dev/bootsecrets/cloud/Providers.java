package dev.bootsecrets.cloud;

import dev.bootsecrets.cloud.aws.AwsProvider;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.log.Log;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/** The identify stage: picks the provider from config, or from DMI when it says auto. */
public final class Providers {
    public static final String AUTO = "auto";
    public static final String NONE = "none";

    private Providers() {}

    /** The provider for this run, or empty when there is no cloud to ask. */
    public static Optional<MetadataProvider> select(Settings settings, Path dmi, MetadataHttp http) {
        String name = settings.provider();
        if (name.equals(AUTO)) {
            Optional<String> detected = Detect.fromDmi(dmi);
            if (detected.isEmpty()) {
                Log.notice("no cloud detected from DMI under " + dmi + "; applying local config only");
                return Optional.empty();
            }
            name = detected.get();
            Log.info("detected provider " + name + " from DMI");
        }
        return switch (name) {
            case NONE -> Optional.empty();
            case "aws" -> {
                URI endpoint = settings.metadataUrl()
                        .orElse(settings.aws().ipv6() ? AwsProvider.IPV6 : AwsProvider.IPV4);
                yield Optional.of(new AwsProvider(endpoint, settings.aws(), http));
            }
            default -> throw new IllegalArgumentException("provider " + name + " is not supported");
        };
    }
}
