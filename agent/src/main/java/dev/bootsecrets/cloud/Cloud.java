package dev.bootsecrets.cloud;

import dev.bootsecrets.cloud.registry.RegistryLogins;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.MetadataHttp;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Predicate;

/**
 * One cloud, described once: how the firmware names it, where its metadata service is, what
 * systemd-imdsd calls it, how its provider, secrets managers and registry tokens are made, and
 * how Vault and the lockdown treat it. Adding a cloud is one descriptor in its package and one
 * line in {@code stage.Providers.CLOUDS}; nothing else asks a cloud's name what to do.
 *
 * @param name        the provider's name in config and status (aws, gcp, azure)
 * @param imdsdVendor the vendor systemd-imdsd's {@code GetVendorInfo} reports for it
 * @param detects     whether DMI says this machine runs there
 * @param ipv4        the metadata service's IPv4 address
 * @param ipv6        its IPv6 address, where the cloud documents one
 * @param wantsIpv6   whether the cloud's own settings pin the IPv6 address (AWS's {@code metadata.aws.ipv6})
 * @param guarded     further services of the cloud that {@code metadata.lockdown} keeps for root
 * @param provider    the provider, reading metadata through the keys it is given
 * @param sourceKinds the {@code from:} kinds its secrets managers read
 * @param secrets     the secrets managers, with the instance's identity from the metadata endpoint
 * @param registries  the credential helper's issuer of tokens for the cloud's registries
 * @param vault       how Vault's auth method of the cloud's name takes the instance identity
 */
public record Cloud(
        String name,
        String imdsdVendor,
        Predicate<Dmi> detects,
        URI ipv4,
        Optional<URI> ipv6,
        Predicate<Settings> wantsIpv6,
        List<Guarded> guarded,
        ProviderFactory provider,
        List<String> sourceKinds,
        StoreFactory secrets,
        IssuerFactory registries,
        VaultLogin vault) {

    public Cloud {
        guarded = List.copyOf(guarded);
        sourceKinds = List.copyOf(sourceKinds);
    }

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

    public interface IssuerFactory {
        RegistryLogins.Issuer make(Settings settings, RegistryLogins.Client client, Clock clock);
    }

    /**
     * An IPv4 service the lockdown keeps for root besides the metadata service.
     *
     * @param open a TCP port every process may still use (the wireserver's DNS)
     */
    public record Guarded(String ipv4, OptionalInt open) {}

    /**
     * What Vault's login for this cloud sends.
     *
     * @param form       the shape of the login's body
     * @param audience   the identity token's audience where Vault's method fixes one (a
     *                   resource); otherwise the token is asked for {@code vault/ROLE}
     * @param noIdentity what it means when the provider gives no identity, for the message
     */
    public record VaultLogin(Form form, Optional<String> audience, String noIdentity) {
        public enum Form {
            /** the signed identity document's PKCS#7 signature and a client nonce kept across boots */
            PKCS7_WITH_NONCE,
            /** the identity token as {@code jwt} */
            JWT,
            /** the access token as {@code jwt}, with the names of the VM it was issued to (read from the token) */
            JWT_WITH_RESOURCE
        }
    }

    /** The address {@code metadata.address} pins, or IPv4 when it pins none or the cloud has no IPv6 one. */
    public URI pinned(Settings settings) {
        boolean v6 = settings.route().address() == Settings.Address.IPV6 || wantsIpv6.test(settings);
        return v6 ? ipv6.orElse(ipv4) : ipv4;
    }
}
