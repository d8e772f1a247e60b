package dev.bootsecrets.cloud;

import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.secret.Secret;
import java.net.URI;

/** One cloud's secrets managers, read with the instance's own identity. */
public interface SecretStore {

    /**
     * What every store reaches its cloud with.
     *
     * @param metadataUrl where the instance's credentials come from (the provider's metadata endpoint)
     * @param metadata    the plain-HTTP metadata client
     * @param api         the TLS client for the secrets managers
     * @param deadline    every read, credentials included, ends by then
     */
    record Context(URI metadataUrl, Settings.Endpoints endpoints, MetadataHttp metadata, MetadataHttp api, Deadline deadline) {}

    /**
     * The value of {@code source}, one of this cloud's kinds.
     *
     * @throws SecretSourceException naming the source and why, never with a value or token
     */
    Secret read(Source.FromCloud source) throws SecretSourceException;
}
