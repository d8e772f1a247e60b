package dev.bootsecrets.cloud;

/**
 * The metadata service could not be read, or what it answered is not acceptable (too large,
 * not the document it should be); the message names the endpoint, never a value.
 */
public final class MetadataException extends Exception {
    private final String endpoint;
    private final boolean invalidContent;

    public MetadataException(String endpoint, String message) {
        this(endpoint, message, null, false);
    }

    public MetadataException(String endpoint, String message, Throwable cause) {
        this(endpoint, message, cause, false);
    }

    private MetadataException(String endpoint, String message, Throwable cause, boolean invalidContent) {
        super(endpoint + ": " + message, cause);
        this.endpoint = endpoint;
        this.invalidContent = invalidContent;
    }

    /** The service answered, with content that is refused: invalid input, not an outage. */
    public static MetadataException invalid(String endpoint, String message) {
        return new MetadataException(endpoint, message, null, true);
    }

    public static MetadataException invalid(String endpoint, String message, Throwable cause) {
        return new MetadataException(endpoint, message, cause, true);
    }

    public String endpoint() {
        return endpoint;
    }

    /** True when the answer came but its content was refused (a run then exits 3, not 4). */
    public boolean invalidContent() {
        return invalidContent;
    }
}
