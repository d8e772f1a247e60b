package dev.bootsecrets.cloud;

import dev.bootsecrets.config.Settings;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.MetadataHttp;
import java.net.URI;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One cloud, described once: how the firmware names it, where its metadata service is, what
 * systemd-imdsd calls it, and how its provider and secrets managers are made. Adding a cloud
 * is one descriptor in its package and one line in {@link Providers#CLOUDS}.
 *
 * @param name        the provider's name in config and status (aws, gcp, azure)
 * @param imdsdVendor the vendor systemd-imdsd's {@code GetVendorInfo} reports for it
 * @param detects     whether DMI says this machine runs there
 * @param ipv4        the metadata service's IPv4 address
 * @param ipv6        its IPv6 address, where the cloud documents one
 * @param provider    the provider, reading metadata through the keys it is given
 * @param secrets     the secrets managers, with the instance's identity from the metadata endpoint
 */
public record Cloud(
        String name,
        String imdsdVendor,
        Predicate<Dmi> detects,
        URI ipv4,
        Optional<URI> ipv6,
        ProviderFactory provider,
        StoreFactory secrets) {

    /**
     * What a provider is made with.
     *
     * @param endpoint the metadata service's base URL: the chosen address, or {@code metadata.url}
     * @param keys     where the metadata keys are read: empty for the cloud's own HTTP API at
     *                 {@code endpoint}, else systemd-imdsd
     */
    public record Wiring(Settings settings, URI endpoint, Optional<MetadataKeys.Opener> keys, TargetRoot root,
            MetadataHttp http) {}

    public interface ProviderFactory {
        MetadataProvider make(Wiring wiring);
    }

    public interface StoreFactory {
        SecretStore make(SecretStore.Context context, Settings settings);
    }

    /** The address {@code metadata.address} pins, or IPv4 when it pins none or the cloud has no IPv6 one. */
    public URI pinned(Settings settings) {
        boolean v6 = settings.route().address() == Settings.Address.IPV6 || (name.equals("aws") && settings.aws().ipv6());
        return v6 ? ipv6.orElse(ipv4) : ipv4;
    }
}
