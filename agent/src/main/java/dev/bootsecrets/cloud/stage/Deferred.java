package dev.bootsecrets.cloud.stage;

import dev.bootsecrets.cloud.GatherRequest;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.cloud.MetadataProvider;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.secret.Secret;
import java.util.Map;
import java.util.Set;

/**
 * The frame every cloud's provider runs in: the route to the metadata (an address that
 * connects, or systemd-imdsd) is found at the first gather, under its deadline, and the
 * cloud's own provider, made for that route, does the fetches.
 */
final class Deferred implements MetadataProvider {
    /** Makes the provider once the deadline is known. */
    interface Maker {
        MetadataProvider make(Deadline deadline) throws MetadataException;
    }

    private final String name;
    private final Maker maker;
    private MetadataProvider made;

    Deferred(String name, Maker maker) {
        this.name = name;
        this.maker = maker;
    }

    @Override
    public String name() {
        return made == null ? name : made.name();
    }

    @Override
    public InstanceMetadata gather(GatherRequest request) throws MetadataException {
        return made(request.deadline()).gather(request);
    }

    @Override
    public Map<String, Secret> attributes(Set<String> names, Deadline deadline) throws MetadataException {
        return made(deadline).attributes(names, deadline);
    }

    @Override
    public void reportReady(InstanceMetadata metadata, Deadline deadline) throws MetadataException {
        made(deadline).reportReady(metadata, deadline);
    }

    private MetadataProvider made(Deadline deadline) throws MetadataException {
        if (made == null) {
            made = maker.make(deadline);
        }
        return made;
    }
}
