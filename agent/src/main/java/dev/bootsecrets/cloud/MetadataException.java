package dev.bootsecrets.cloud;

/** The metadata service could not be read; the message names the endpoint, never a value. */
public final class MetadataException extends Exception {
    private final String endpoint;

    public MetadataException(String endpoint, String message) {
        super(endpoint + ": " + message);
        this.endpoint = endpoint;
    }

    public MetadataException(String endpoint, String message, Throwable cause) {
        super(endpoint + ": " + message, cause);
        this.endpoint = endpoint;
    }

    public String endpoint() {
        return endpoint;
    }
}
