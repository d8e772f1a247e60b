package dev.bootsecrets.cloud;

import dev.bootsecrets.http.Deadline;
import java.util.Set;

/**
 * What the run needs from the metadata service, so a provider fetches only that.
 *
 * @param attributes attribute (or tag) names that secrets refer to; empty means none
 * @param identity   whether the signed identity document is needed (for a join)
 */
public record GatherRequest(Deadline deadline, Set<String> attributes, boolean identity) {
    public GatherRequest {
        attributes = Set.copyOf(attributes);
    }
}
