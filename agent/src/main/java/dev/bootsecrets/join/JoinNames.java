package dev.bootsecrets.join;

import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.config.JoinSettings;
import java.util.regex.Pattern;

/**
 * What the join stage (stage/Join) and its two flows (http/, vault/) name alike: the Vault
 * token source, the certificate's common name, the source shown for the join's files. Its own
 * class, so the flows depend on it and not on Join, which depends on them.
 */
public final class JoinNames {
    /** {@code join:vault-token}: the Vault token itself, kept (not revoked) because an output wants it. */
    public static final String VAULT_TOKEN = "vault-token";
    private static final Pattern COMMON_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private JoinNames() {}

    /** The name the certificate is asked for: configured, else the hostname, else the instance id. */
    public static String commonName(JoinSettings join, InstanceMetadata metadata) {
        if (join.certificate().commonName().isPresent()) {
            return join.certificate().commonName().get();
        }
        for (String name : new String[] {metadata.hostname(), metadata.instanceId()}) {
            if (COMMON_NAME.matcher(name).matches()) {
                return name;
            }
        }
        return "bootsecrets";
    }

    /** The source shown for the join's files in the plan and the status file. */
    public static String source(JoinSettings join) {
        return switch (join.service()) {
            case JoinSettings.Http http -> "join " + http.url().getScheme() + "://" + http.url().getHost()
                    + (http.url().getPort() < 0 ? "" : ":" + http.url().getPort());
            case JoinSettings.Vault vault -> "vault " + vault.pki().map(p -> p.mount() + "/sign/" + p.role()).orElse("");
        };
    }
}
