package dev.bootsecrets.cloud;

import dev.bootsecrets.http.Deadline;
import java.util.Set;

/**
 * What the run needs from the metadata service, so a provider fetches only that.
 *
 * @param attributes attribute (or tag) names that secrets refer to; empty means none
 * @param identity   whether the signed identity document is needed (for a join)
 * @param audience   who the identity is for, such as the join service's URL: GCP's identity
 *                   token names it and cannot be had without one; "" when not known
 */
public record GatherRequest(Deadline deadline, Set<String> attributes, boolean identity, String audience) {
    public GatherRequest {
        attributes = Set.copyOf(attributes);
    }

    /** A request whose identity, if any, names no audience. */
    public GatherRequest(Deadline deadline, Set<String> attributes, boolean identity) {
        this(deadline, attributes, identity, "");
    }
}
