package dev.bootsecrets.cloud;

import dev.bootsecrets.http.Deadline;
import java.util.Set;

/**
 * What the run needs from the metadata service, so a provider fetches only that.
 *
 * @param attributes attribute (or tag) names that secrets refer to; empty means none
 * @param identity   whether an instance identity is needed (for a join); {@code kind} says which
 * @param audience   who the identity is for: the join service's URL, {@code vault/ROLE} for
 *                   Vault's gcp login, the resource of an access token ({@link IdentityKind#TOKEN}).
 *                   GCP's identity token names it and cannot be had without one; "" when not known
 * @param kind       which identity, on a cloud that has two
 */
public record GatherRequest(Deadline deadline, Set<String> attributes, boolean identity, String audience, IdentityKind kind) {
    /**
     * The join service verifies a signed document itself; Vault's cloud logins take what the
     * cloud's own auth accepts. Only Azure tells them apart: its attested document, or its
     * managed identity's access token. AWS gives its PKCS#7 signature and GCP its identity
     * token (for {@code audience}) either way.
     */
    public enum IdentityKind {
        /** The signed instance identity document (Azure: the attested document). */
        DOCUMENT,
        /** An access token of the instance's own cloud identity for the resource {@code audience} (Azure: the managed identity's). */
        TOKEN
    }

    public GatherRequest {
        attributes = Set.copyOf(attributes);
    }

    /** A request whose identity, if any, is the signed document. */
    public GatherRequest(Deadline deadline, Set<String> attributes, boolean identity, String audience) {
        this(deadline, attributes, identity, audience, IdentityKind.DOCUMENT);
    }

    /** A request whose identity, if any, is the signed document and names no audience. */
    public GatherRequest(Deadline deadline, Set<String> attributes, boolean identity) {
        this(deadline, attributes, identity, "");
    }
}
