package dev.bootsecrets.cloud.azure;

import dev.bootsecrets.cloud.MetadataException;
import dev.bootsecrets.http.Response;

/**
 * Azure's Metadata Security Protocol (MSP). In enforce mode the VM's Guest Proxy Agent stands
 * between every process and IMDS (169.254.169.254, managed identity included) and the
 * wireserver (168.63.129.16), and answers a process that is not on the VM's allow-list itself:
 * HTTP 403 with an empty body, without the {@code x-ms-azure-host-authorization} header every
 * answer it forwards carries (IMDS's own 403s have a JSON error body); 421 when it cannot tell
 * which process asks. That is a configuration to fix, not an outage: it is refused content.
 */
final class Msp {
    static final String FORWARDED = "x-ms-azure-host-authorization";
    /** Where the agent runs from in the RPM and the bootc image; docs/clouds.md has the whole allow-list entry. */
    static final String EXECUTABLE = "/usr/bin/bootsecrets";

    private Msp() {}

    /**
     * Throws when {@code response} is the Guest Proxy Agent's refusal.
     *
     * @param service what was refused: IMDS or the wireserver
     */
    static void check(Response response, String endpoint, String service) throws MetadataException {
        boolean refused = (response.status() == 403 || response.status() == 421) && response.body().length == 0
                && !response.headers().containsKey(FORWARDED);
        if (refused) {
            throw MetadataException.invalid(endpoint, "HTTP " + response.status() + " from Azure's Metadata Security"
                    + " Protocol in enforce mode: " + (response.status() == 403 ? "this process is not on the VM's"
                    + " allow-list for " : "the Guest Proxy Agent could not tell which process asked ") + service
                    + " (add the agent, exePath " + EXECUTABLE + " and userName root, to the VM's access control rules"
                    + " for IMDS and the wireserver; see docs/clouds.md)");
        }
    }
}
