package dev.bootsecrets.join.vault;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.config.Declarations.SecretDecl;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.JoinSettings;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.http.Deadline;
import dev.bootsecrets.http.MetadataHttp;
import dev.bootsecrets.join.Credential;
import dev.bootsecrets.join.JoinException;
import dev.bootsecrets.join.JoinNames;
import dev.bootsecrets.join.Joined;
import dev.bootsecrets.join.MachineKey;
import dev.bootsecrets.join.Tls;
import dev.bootsecrets.log.Log;
import dev.bootsecrets.plan.FileIntent;
import dev.bootsecrets.secret.Secret;
import dev.bootsecrets.tls.Pem;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The join with HashiCorp Vault or OpenBao: log in, read the declared {@code vault:} secrets,
 * have the machine's CSR signed by PKI, and revoke the token, unless an output wants it
 * ({@code join:vault-token}). The token is never written anywhere but such an output.
 */
public final class VaultJoin {
    /** Revoking gets a deadline of its own: it is owed even after the join ran out of time. */
    static final Duration REVOKE_WAIT = Duration.ofSeconds(5);

    private VaultJoin() {}

    public static Joined run(
            JoinSettings join, JoinSettings.Vault vault, Declarations declared, InstanceMetadata metadata,
            TargetRoot root) throws JoinException {
        Optional<Credential> earlier = vault.certAuth().isPresent()
                ? Credential.earlier(root, join.certificate()) : Optional.empty();
        boolean keepToken = declared.secrets().stream()
                .anyMatch(d -> d.source() instanceof Source.FromJoin j && j.name().equals(JoinNames.VAULT_TOKEN));
        try (MetadataHttp http = MetadataHttp.tls(Tls.context(root, vault.caFile(), earlier))) {
            VaultClient client = new VaultClient(vault.address(), http, Deadline.in(join.deadline()));
            VaultLogin.Login login = earlier.isPresent()
                    ? VaultLogin.cert(client, vault.certAuth().get())
                    : switch (vault.auth()) {
                        case JoinSettings.AppRole approle -> VaultLogin.approle(client, approle, declared, metadata, root);
                        case JoinSettings.CloudLogin cloud -> VaultLogin.cloud(client, cloud, metadata, root);
                    };
            boolean joined = false;
            try {
                Map<String, Secret> secrets = read(client, login.token(), vault.kv(), declared);
                for (SecretDecl decl : declared.secrets()) {
                    if (decl.source() instanceof Source.FromJoin) {
                        secrets.put(decl.name(), login.token()); // the preview let through only join:vault-token
                    }
                }
                List<FileIntent> files = vault.pki().isPresent()
                        ? sign(client, login.token(), join, vault.pki().get(), metadata)
                        : List.of();
                joined = true;
                Log.info("vault: joined " + vault.address().getHost() + " (secrets read: " + secrets.size() + ")"
                        + (files.isEmpty() ? "" : ", certificate signed"));
                return new Joined(secrets, files, login.burn().map(List::of).orElse(List.of()));
            } finally {
                if (!joined || !keepToken) {
                    revoke(client.until(Deadline.in(REVOKE_WAIT)), login.token());
                }
            }
        }
    }

    /** Every declared vault: secret, each path read once. */
    private static Map<String, Secret> read(
            VaultClient client, Secret token, Map<String, Integer> mounts, Declarations declared) throws JoinException {
        Map<String, JsonNode> byPath = new HashMap<>();
        Map<String, Secret> secrets = new HashMap<>();
        for (SecretDecl decl : declared.secrets()) {
            if (!(decl.source() instanceof Source.FromVault v)) {
                continue;
            }
            JsonNode data = byPath.get(v.path());
            if (data == null) {
                data = kv(client, token, mounts, v.path());
                byPath.put(v.path(), data);
            }
            JsonNode value = data.get(v.key());
            if (value == null || !value.isValueNode() || value.isNull()) {
                throw new JoinException("vault: " + v.path() + " has no key " + v.key() + " with a value"
                        + " (declared at " + decl.origin() + ")");
            }
            secrets.put(decl.name(), Secret.ofUtf8(value.asText()));
        }
        return secrets;
    }

    /**
     * The data of the KV secret at {@code path}. Its mount is the longest configured one the
     * path starts with; a path under none is read from its first part, as KV version 2.
     */
    private static JsonNode kv(VaultClient client, Secret token, Map<String, Integer> mounts, String path)
            throws JoinException {
        String mount = path.substring(0, path.indexOf('/'));
        int version = 2;
        for (var configured : mounts.entrySet()) {
            if (path.startsWith(configured.getKey() + "/") && configured.getKey().length() >= mount.length()) {
                mount = configured.getKey();
                version = configured.getValue();
            }
        }
        String rest = path.substring(mount.length() + 1);
        VaultClient.Reply reply = client.get(version == 2 ? mount + "/data/" + rest : mount + "/" + rest, token);
        if (reply.status() == 404) {
            throw new JoinException("vault: no secret at " + path + " (KV version " + version + " mount " + mount + ")");
        }
        JsonNode data = version == 2 ? reply.ok().path("data").path("data") : reply.ok().path("data");
        if (!data.isObject()) {
            throw new JoinException("vault " + reply.request() + ": not a KV version " + version + " secret");
        }
        return data;
    }

    /** pki/sign/ROLE with a CSR for a key made here; the private key goes only to key.pem. */
    private static List<FileIntent> sign(
            VaultClient client, Secret token, JoinSettings join, JoinSettings.Pki pki, InstanceMetadata metadata)
            throws JoinException {
        MachineKey key;
        Map<String, Object> body = new LinkedHashMap<>();
        try {
            key = MachineKey.generate();
            String commonName = JoinNames.commonName(join, metadata);
            body.put("csr", key.csr(commonName));
            body.put("common_name", commonName);
        } catch (GeneralSecurityException e) {
            throw new JoinException("join: cannot make a key and CSR (" + e.getMessage() + ")");
        }
        pki.ttl().ifPresent(ttl -> body.put("ttl", ttl.toSeconds() + "s"));
        VaultClient.Reply reply = client.post(pki.mount() + "/sign/" + pki.role(), Optional.of(token), body);
        JsonNode data = reply.ok().path("data");
        List<String> issuers = new ArrayList<>();
        if (data.path("ca_chain").isArray()) {
            data.path("ca_chain").forEach(c -> issuers.add(c.asText("")));
        } else if (data.path("issuing_ca").isTextual()) {
            issuers.add(data.path("issuing_ca").textValue());
        }
        try {
            List<X509Certificate> chain = key.chain(data.path("certificate").asText(""), issuers);
            return Joined.material(join.certificate(), key.privateKeyPem(), Secret.ofUtf8(Pem.encode(chain)), JoinNames.source(join));
        } catch (GeneralSecurityException e) {
            throw new JoinException("vault " + reply.request() + ": " + e.getMessage());
        }
    }

    /** auth/token/revoke-self: a failure is a warning, as the token still expires with its TTL. */
    private static void revoke(VaultClient client, Secret token) {
        try {
            client.post("auth/token/revoke-self", Optional.of(token), Map.of()).ok();
            Log.info("vault: token revoked");
        } catch (JoinException e) {
            Log.warn("vault: could not revoke the token, which lives on until its TTL ends: " + e.getMessage());
        }
    }
}
