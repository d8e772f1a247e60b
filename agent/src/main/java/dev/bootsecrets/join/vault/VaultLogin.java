package dev.bootsecrets.join.vault;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.cloud.Cloud;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.cloud.stage.Providers;
import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.JoinSettings.AppRole;
import dev.bootsecrets.config.JoinSettings.CertAuth;
import dev.bootsecrets.config.JoinSettings.CloudLogin;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.join.Bootstrap;
import dev.bootsecrets.join.JoinException;
import dev.bootsecrets.join.Json;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.secret.Secret;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The ways the agent logs in to Vault; each ends with a token. */
final class VaultLogin {
    /** Vault's AWS login binds the first client nonce to the instance; later logins must repeat it. */
    static final String AWS_NONCE = "/var/lib/bootsecrets/vault-aws-nonce";
    private static final String NONCE_DIR = "/var/lib/bootsecrets";
    private static final int NONCE_BYTES = 32;
    /** The resource id a VM's system-assigned managed identity token carries (claim xms_mirid). */
    private static final Pattern AZURE_VM = Pattern.compile(
            "/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/microsoft\\.compute/(virtualmachines|virtualmachinescalesets)/([^/]+)",
            Pattern.CASE_INSENSITIVE);

    /**
     * @param burn the bootstrap file to delete once the join has succeeded
     */
    record Login(Secret token, Optional<String> burn) {}

    private VaultLogin() {}

    /** AppRole: role_id and secret_id, the secret_id unwrapped first when it comes wrapped. */
    static Login approle(VaultClient vault, AppRole auth, Declarations declared, InstanceMetadata metadata, TargetRoot root)
            throws JoinException {
        Secret roleId = Bootstrap.read(auth.roleId(), "join.vault.auth.roleId", declared, metadata, root).value();
        Bootstrap secretId = Bootstrap.read(auth.secretId(), "join.vault.auth.secretId", declared, metadata, root);
        Secret id = auth.wrapped() ? unwrap(vault, auth, secretId.value()) : secretId.value();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("role_id", roleId);
        body.put("secret_id", id);
        return new Login(token(vault.post("auth/" + auth.mount() + "/login", Optional.empty(), body)), secretId.file());
    }

    /**
     * A response-wrapped secret_id: the wrapping token is looked up first, and used only if
     * Vault made it for this role's secret-id endpoint (otherwise whoever made it is not who
     * we think). A token that is no longer valid was unwrapped by someone else, or expired.
     */
    static Secret unwrap(VaultClient vault, AppRole auth, Secret wrapping) throws JoinException {
        String expected = "auth/" + auth.mount() + "/role/" + auth.role() + "/secret-id";
        VaultClient.Reply lookup = vault.post("sys/wrapping/lookup", Optional.empty(), Map.of("token", wrapping));
        if (lookup.status() == 400) {
            throw intercepted(lookup);
        }
        String creationPath = lookup.ok().path("data").path("creation_path").asText("");
        if (!creationPath.equals(expected)) {
            String shown = creationPath.length() > 100 ? creationPath.substring(0, 100) + "..." : creationPath;
            throw new JoinException("vault: the wrapping token for the secret_id was made by " + shown.replaceAll("\\p{Cntrl}", " ")
                    + ", not by " + expected + "; refusing to unwrap it");
        }
        // The wrapping token is the client token here, and not in the body too: both would use it up twice.
        VaultClient.Reply unwrapped = vault.post("sys/wrapping/unwrap", Optional.of(wrapping), Map.of());
        if (unwrapped.status() == 400) {
            throw intercepted(unwrapped);
        }
        Secret secretId = Json.secret(unwrapped.ok().path("data").get("secret_id"));
        if (secretId == null) {
            throw new JoinException("vault POST /v1/sys/wrapping/unwrap: the answer holds no data.secret_id");
        }
        return secretId;
    }

    private static JoinException intercepted(VaultClient.Reply reply) {
        return reply.failure(": the wrapped secret_id was already unwrapped or has expired. POSSIBLE"
                + " INTERCEPTION: someone else may hold this machine's secret_id; see Vault's audit log for who"
                + " unwrapped it, and issue a new one");
    }

    /**
     * aws, gcp or azure: the instance's own identity, no secret shipped, sent as the cloud's
     * descriptor says. The Azure provider gives none, when asked, only for a VM without a
     * managed identity.
     */
    static Login cloud(VaultClient vault, CloudLogin auth, InstanceMetadata metadata, TargetRoot root) throws JoinException {
        Cloud.VaultLogin login = Providers.named(auth.method()).orElseThrow().vault();
        if (!metadata.provider().equals(auth.method()) || metadata.identity().isEmpty()) {
            throw new JoinException("join.vault.auth: method " + auth.method() + " needs the " + auth.method()
                    + " instance identity, and this run has " + (!metadata.provider().equals(auth.method())
                    ? "provider " + metadata.provider() : login.noIdentity()));
        }
        Secret identity = metadata.identity().get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("role", auth.role());
        String path = "auth/" + auth.mount() + "/login";
        return switch (login.form()) {
            case PKCS7_WITH_NONCE -> aws(vault, path, body, identity, root);
            case JWT -> {
                body.put("jwt", identity);
                yield new Login(token(vault.post(path, Optional.empty(), body)), Optional.empty());
            }
            case JWT_WITH_RESOURCE -> {
                body.put("jwt", identity);
                body.putAll(azureResource(identity));
                yield new Login(token(vault.post(path, Optional.empty(), body)), Optional.empty());
            }
        };
    }

    /**
     * The EC2 method: the PKCS#7 signature (line breaks removed, as Vault wants it) and the
     * client nonce. The first login makes the nonce and saves it once Vault has accepted it,
     * join or no join after that: Vault has bound it to this instance from then on.
     */
    private static Login aws(VaultClient vault, String path, Map<String, Object> body, Secret pkcs7, TargetRoot root)
            throws JoinException {
        Optional<byte[]> saved;
        try {
            saved = root.read(AWS_NONCE, 1024);
        } catch (IOException e) {
            throw new JoinException("vault aws login: cannot read the nonce: " + e.getMessage());
        }
        Secret nonce = saved.map(Secret::of).orElseGet(VaultLogin::newNonce);
        saved.ifPresent(Secret::wipe);
        body.put("pkcs7", Secret.ofUtf8(pkcs7.utf8().replace("\n", "").replace("\r", "")));
        body.put("nonce", nonce);
        Login login = new Login(token(vault.post(path, Optional.empty(), body)), Optional.empty());
        if (saved.isEmpty()) {
            byte[] bytes = nonce.bytes();
            try {
                if (!root.exists(NONCE_DIR)) {
                    root.ensureDirectory(NONCE_DIR, 0, 0, 0700);
                }
                root.write(AWS_NONCE, bytes, 0, 0, 0600);
                Log.info("vault aws login: saved the client nonce in " + AWS_NONCE + " for the logins of later boots");
            } catch (IOException e) {
                Log.error("vault aws login: could not save the nonce Vault now expects (" + e.getMessage()
                        + "); later logins will be refused until the instance's entry in Vault's identity access list is removed");
            } finally {
                Secret.wipe(bytes);
            }
        }
        return login;
    }

    private static Secret newNonce() {
        byte[] random = new byte[NONCE_BYTES];
        new SecureRandom().nextBytes(random);
        Secret nonce = Secret.ofUtf8(HexFormat.of().formatHex(random));
        Secret.wipe(random);
        return nonce;
    }

    /**
     * subscription_id, resource_group_name and vm_name (or vmss_name), read from the token's
     * xms_mirid claim: the resource id of the VM whose system-assigned identity it is.
     */
    private static Map<String, String> azureResource(Secret jwt) throws JoinException {
        String[] parts = jwt.utf8().split("\\.");
        String resource = "";
        if (parts.length == 3) {
            try {
                JsonNode claims = Json.parse(Base64.getUrlDecoder().decode(parts[1]));
                resource = claims.path("xms_mirid").asText("");
            } catch (IllegalArgumentException e) {
                resource = "";
            }
        }
        Matcher m = AZURE_VM.matcher(resource);
        if (!m.matches()) {
            throw new JoinException("vault azure login: the managed identity token is not a virtual machine's"
                    + " system-assigned identity (its xms_mirid claim names no VM or scale set)");
        }
        boolean scaleSet = m.group(3).equalsIgnoreCase("virtualMachineScaleSets");
        return Map.of("subscription_id", m.group(1), "resource_group_name", m.group(2),
                scaleSet ? "vmss_name" : "vm_name", m.group(4));
    }

    /** The TLS certificate method, over mutual TLS with the certificate of an earlier join. */
    static Login cert(VaultClient vault, CertAuth auth) throws JoinException {
        Log.info("vault: logging in with the certificate of an earlier join (auth/" + auth.mount() + ")");
        return new Login(token(vault.post("auth/" + auth.mount() + "/login", Optional.empty(), Map.of("name", auth.role()))),
                Optional.empty());
    }

    /** auth.client_token of a login's answer. */
    private static Secret token(VaultClient.Reply reply) throws JoinException {
        Secret token = Json.secret(reply.ok().path("auth").get("client_token"));
        if (token == null || token.isEmpty()) {
            throw new JoinException("vault " + reply.request() + ": the answer holds no auth.client_token");
        }
        return token;
    }
}
