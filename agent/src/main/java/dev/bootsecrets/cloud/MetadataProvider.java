package dev.bootsecrets.cloud;

import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.secret.Secret;
import java.util.Map;
import java.util.Set;

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

    /**
     * Reads attributes (or tags) that the gather was not asked for: user-data arrives in the
     * gather and may name some. Absent ones are left out of the map.
     */
    Map<String, Secret> attributes(Set<String> names, Deadline deadline) throws MetadataException;

    /**
     * Tells the cloud that the machine is up, where the cloud waits to hear it (Azure's
     * provisioning ready report); called after a successful gather, never in a dry run.
     * Nothing to do for most clouds.
     */
    default void reportReady(InstanceMetadata metadata, Deadline deadline) throws MetadataException {}
}
