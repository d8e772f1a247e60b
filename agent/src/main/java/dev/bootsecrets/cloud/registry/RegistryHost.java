package dev.bootsecrets.cloud.registry;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry the credential helper serves, told from its host name alone: which cloud issues
 * its tokens, and for ECR the account and region the token is for. Anything else is not served.
 */
public sealed interface RegistryHost {
    /** ECR's private registry host: ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]. */
    Pattern ECR = Pattern.compile("([0-9]{12})\\.dkr\\.ecr(-fips)?\\.([a-z]{2}(?:-[a-z]+)+-[0-9])\\.(amazonaws\\.com(?:\\.cn)?)");
    /** Artifact Registry (LOCATION-docker.pkg.dev) and Container Registry (gcr.io, us.gcr.io, ...). */
    Pattern GOOGLE = Pattern.compile("[a-z0-9]+(?:-[a-z0-9]+)*-docker\\.pkg\\.dev|(?:[a-z]+\\.)?gcr\\.io");
    /** An Azure Container Registry: 5 to 50 letters and digits before .azurecr.io. */
    Pattern ACR = Pattern.compile("[a-z0-9]{5,50}\\.azurecr\\.io");
    /** What may come before the host and after it in a server URL; a host is at most 253 characters. */
    Pattern SERVER_URL = Pattern.compile("(?:https?://)?([A-Za-z0-9.-]{1,253})(?::[0-9]{1,5})?(?:/.*)?");

    /** The host name, lower case, without a port. */
    String host();

    /** @param suffix amazonaws.com or amazonaws.com.cn */
    record Ecr(String host, String account, String region, boolean fips, String suffix) implements RegistryHost {
        /** The ECR API endpoint of the registry's region (the FIPS one for a FIPS registry). */
        public String apiHost() {
            return (fips ? "ecr-fips." : "api.ecr.") + region + "." + suffix;
        }
    }

    record Google(String host) implements RegistryHost {}

    record Acr(String host) implements RegistryHost {}

    /**
     * The registry a docker-credential-helpers server URL names ({@code host}, {@code host:port},
     * {@code https://host/v2/}), or empty for one no cloud's identity serves.
     */
    static Optional<RegistryHost> of(String serverUrl) {
        Matcher url = SERVER_URL.matcher(serverUrl.strip());
        if (!url.matches()) {
            return Optional.empty();
        }
        String host = url.group(1).toLowerCase(Locale.ROOT);
        Matcher ecr = ECR.matcher(host);
        if (ecr.matches()) {
            return Optional.of(new Ecr(host, ecr.group(1), ecr.group(3), ecr.group(2) != null, ecr.group(4)));
        }
        if (GOOGLE.matcher(host).matches()) {
            return Optional.of(new Google(host));
        }
        if (ACR.matcher(host).matches()) {
            return Optional.of(new Acr(host));
        }
        return Optional.empty();
    }

    /** The cloud whose instance identity gets this registry's tokens, as provider names go. */
    default String provider() {
        return switch (this) {
            case Ecr e -> "aws";
            case Google g -> "gcp";
            case Acr a -> "azure";
        };
    }
}
