package dev.bootsecrets.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code join:} settings: how this machine trades a bootstrap secret or its cloud identity
 * for runtime secrets (docs/join.md). Only the image's and the machine's config set them:
 * user-data that could point the join elsewhere could send the image's bootstrap secret there.
 *
 * @param deadline    the whole join must be done within this
 * @param certificate where the key and certificate the join makes go
 * @param service     the generic HTTPS join service, or Vault
 */
public record JoinSettings(Duration deadline, Certificate certificate, Service service) {

    /**
     * @param dir        key.pem (0600) and cert.pem (0644) go here
     * @param commonName the name the certificate is asked for; empty: the instance's hostname,
     *                   or its id when it has none
     */
    public record Certificate(String dir, Optional<String> commonName) {
        public String keyPath() {
            return dir + "/key.pem";
        }

        public String certPath() {
            return dir + "/cert.pem";
        }
    }

    /** Where the join goes. */
    public sealed interface Service {
        /** A CA bundle (a path in the target root) that alone is trusted for the service's TLS. */
        Optional<String> caFile();
    }

    /**
     * {@code join.url}: the generic JSON protocol of docs/join.md.
     *
     * @param token the name of the declared secret holding the bootstrap token; empty when the
     *              service trusts the instance identity alone
     */
    public record Http(URI url, Optional<String> token, Optional<String> caFile) implements Service {}

    /**
     * {@code join.vault}: HashiCorp Vault or OpenBao.
     *
     * @param kv       KV mounts by path, with their version (1 or 2); a mount not listed is
     *                 the first part of the path, version 2
     * @param pki      where to have the machine's CSR signed; empty: no certificate
     * @param certAuth log in with the certificate of an earlier join instead of the bootstrap
     *                 secret, when there is a valid one
     */
    public record Vault(
            URI address, Optional<String> caFile, VaultAuth auth, Map<String, Integer> kv, Optional<Pki> pki,
            Optional<CertAuth> certAuth) implements Service {
        public Vault {
            kv = Map.copyOf(kv);
        }
    }

    /** How the agent logs in to Vault the first time. */
    public sealed interface VaultAuth {
        String mount();

        String role();
    }

    /**
     * AppRole: {@code roleId} and {@code secretId} name declared secrets; {@code wrapped}: the
     * secret_id secret holds a response-wrapping token for the secret_id, made by
     * {@code auth/MOUNT/role/ROLE/secret-id}.
     */
    public record AppRole(String mount, String role, String roleId, String secretId, boolean wrapped)
            implements VaultAuth {}

    /** The instance's cloud identity, no secret shipped: {@code method} is aws, gcp or azure. */
    public record CloudLogin(String method, String mount, String role) implements VaultAuth {}

    /** {@code pki/sign/ROLE} on {@code mount}; {@code ttl} empty: the role's. */
    public record Pki(String mount, String role, Optional<Duration> ttl) {}

    /** {@code auth/MOUNT/login} with {@code name: role}, over mutual TLS. */
    public record CertAuth(String mount, String role) {}
}
