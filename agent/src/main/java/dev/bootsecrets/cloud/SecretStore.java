package dev.bootsecrets.cloud;

import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.secret.Secret;

/** One cloud's secrets managers, read with the instance's own identity. */
public interface SecretStore {

    /**
     * The value of {@code source}, one of this cloud's kinds.
     *
     * @throws SecretSourceException naming the source and why, never with a value or token
     */
    Secret read(Source.FromCloud source) throws SecretSourceException;
}
