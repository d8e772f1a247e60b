package dev.bootsecrets.cloud;

/**
 * A cloud's secrets manager did not give a declared secret: access denied, not found, refused
 * credentials, throttled or unreachable past the deadline. The message names the source
 * ({@code kind:REFERENCE}) and the reason, never a value, a token or the server's own text.
 */
public final class SecretSourceException extends Exception {
    public SecretSourceException(String message) {
        super(message);
    }

    public SecretSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
