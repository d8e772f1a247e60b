package dev.bootsecrets.http;

/** The deadline passed before the endpoint gave a usable answer (refused, timed out, 5xx). */
public final class MetadataUnavailableException extends EndpointException {

    public MetadataUnavailableException(String endpoint, String lastFailure) {
        super(endpoint, "no answer before the deadline (last: " + lastFailure + ")");
    }
}
