package dev.bootsecrets.cloud.registry;

/**
 * A registry token could not be had (the identity was refused, the service said no or did not
 * answer). The message names the registry, the endpoint and a reason made here: never a token,
 * a header or a response body.
 */
public final class RegistryException extends Exception {
    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
