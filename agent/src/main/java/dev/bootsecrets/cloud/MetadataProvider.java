package dev.bootsecrets.cloud;

/** One cloud's metadata service, read once per run into {@link InstanceMetadata}. */
public interface MetadataProvider {

    String name();

    /**
     * Reads what {@code request} asks for before its deadline.
     *
     * @throws MetadataException when the service cannot be reached or answers wrongly
     *                           before the deadline; nothing has been written then
     */
    InstanceMetadata gather(GatherRequest request) throws MetadataException;
}
