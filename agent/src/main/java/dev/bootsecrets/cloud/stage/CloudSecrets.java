package dev.bootsecrets.cloud.stage;

import dev.bootsecrets.cloud.Cloud;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.MetadataRoute;
import dev.bootsecrets.cloud.SecretSourceException;
import dev.bootsecrets.cloud.SecretStore;
import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.Declarations.SecretDecl;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Redaction;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.tls.SystemTrust;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The secrets declared with a cloud secrets manager as their source ({@link Source.FromCloud}),
 * by the declared name: the same provider-neutral seam as the join's runtime secrets. Empty
 * stand-ins let the plan be checked first; the fetch comes after, with the instance's identity.
 */
public final class CloudSecrets {
    private CloudSecrets() {}

    /** An empty value for every secret a cloud's secrets manager will give. */
    public static Map<String, Secret> standIns(Declarations declared) {
        Map<String, Secret> out = new LinkedHashMap<>();
        for (SecretDecl decl : cloudDeclared(declared)) {
            out.put(decl.name(), Secret.empty());
        }
        return out;
    }

    /** Whether any secret comes from a cloud's secrets manager. */
    public static boolean any(Declarations declared) {
        return !cloudDeclared(declared).isEmpty();
    }

    /**
     * Reads every cloud-sourced secret, all or nothing: the first failure ends the fetch.
     *
     * @param provider the provider the run identified (aws, gcp or azure); a source of another
     *                 cloud is an error, since only this instance's identity is at hand
     * @param metadata the metadata client; the secrets managers get a TLS client of their own,
     *                 which trusts the CAs of {@code root} ({@link SystemTrust})
     * @throws SecretSourceException naming the secret and its source
     */
    public static Map<String, Secret> fetch(Declarations declared, String provider, Settings settings,
            MetadataHttp metadata, TargetRoot root, Deadline deadline) throws SecretSourceException {
        List<SecretDecl> wanted = cloudDeclared(declared);
        Map<String, Secret> out = new LinkedHashMap<>();
        if (wanted.isEmpty()) {
            return out;
        }
        try (MetadataHttp api = MetadataHttp.tls(tls(root))) {
            SecretStore store = store(provider, settings, metadata, api, deadline);
            for (SecretDecl decl : wanted) {
                Source.FromCloud source = (Source.FromCloud) decl.source();
                String field = decl.origin() + " (secrets." + decl.name() + ")";
                String cloud = Providers.reading(source.kind()).map(Cloud::name).orElseThrow();
                if (!cloud.equals(provider)) {
                    throw new SecretSourceException(field + ": " + source.reference() + " needs the instance's "
                            + cloud + " identity, but this instance runs on " + (provider.isEmpty() ? "no cloud" : provider));
                }
                try {
                    out.put(decl.name(), store.read(source));
                } catch (SecretSourceException e) {
                    throw new SecretSourceException(field + ": " + e.getMessage(), e);
                }
                Log.info("secret " + Redaction.name(decl.name()) + " read from " + Redaction.name(source.reference()));
            }
            return out;
        }
    }

    private static SSLContext tls(TargetRoot root) throws SecretSourceException {
        try {
            return SystemTrust.context(root);
        } catch (IOException e) {
            throw new SecretSourceException("the secrets managers' TLS: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new SecretSourceException("TLS is not available in this runtime", e);
        }
    }

    /** The store of the run's cloud, reaching its metadata by the same route as the gather; null for no cloud. */
    private static SecretStore store(String provider, Settings settings, MetadataHttp metadata, MetadataHttp api,
            Deadline deadline) throws SecretSourceException {
        Optional<Cloud> cloud = Providers.named(provider);
        if (cloud.isEmpty()) {
            return null; // no identity: every source fails the check of its cloud before a read
        }
        try {
            URI endpoint = MetadataRoute.endpoint(cloud.get(), settings, deadline);
            return cloud.get().secrets().make(new SecretStore.Context(endpoint, settings.endpoints(), metadata, api, deadline),
                    settings);
        } catch (MetadataException e) {
            throw new SecretSourceException("the instance's credentials: " + e.getMessage(), e);
        }
    }

    private static List<SecretDecl> cloudDeclared(Declarations declared) {
        return declared.secrets().stream().filter(d -> d.source() instanceof Source.FromCloud).toList();
    }
}
