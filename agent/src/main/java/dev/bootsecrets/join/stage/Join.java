package dev.bootsecrets.join.stage;

import dev.bootsecrets.cloud.GatherRequest;
import dev.bootsecrets.cloud.InstanceMetadata;
import dev.bootsecrets.cloud.stage.Providers;
import dev.bootsecrets.config.Declarations;
import dev.bootsecrets.config.Declarations.SecretDecl;
import dev.bootsecrets.config.Declarations.Source;
import dev.bootsecrets.config.JoinSettings;
import dev.bootsecrets.config.Settings;
import dev.bootsecrets.fs.TargetRoot;
import dev.bootsecrets.join.JoinException;
import dev.bootsecrets.join.JoinNames;
import dev.bootsecrets.join.Joined;
import dev.bootsecrets.join.http.HttpJoin;
import dev.bootsecrets.join.vault.VaultJoin;
import dev.bootsecrets.plan.PlanException;
import dev.bootsecrets.secret.Secret;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The join stage: trades a bootstrap secret or the instance's cloud identity for runtime
 * secrets and a certificate, with a join service ({@link HttpJoin}) or Vault ({@link VaultJoin}).
 * See docs/join.md.
 */
public final class Join {
    private Join() {}

    /** Whether the gather must fetch the instance identity document for the configured join. */
    public static boolean needsIdentity(Settings settings) {
        return settings.join().map(j -> switch (j.service()) {
            case JoinSettings.Http http -> true;
            case JoinSettings.Vault vault -> vault.auth() instanceof JoinSettings.CloudLogin;
        }).orElse(false);
    }

    /**
     * Who the instance identity is for, where the cloud binds it to one: a join service its own
     * URL; Vault's cloud logins the audience the cloud's descriptor names (Azure's resource), else
     * {@code vault/ROLE} (what Vault's gcp login expects).
     */
    public static String audience(Settings settings) {
        return settings.join().map(j -> switch (j.service()) {
            case JoinSettings.Http http -> http.url().toString();
            case JoinSettings.Vault vault -> vault.auth() instanceof JoinSettings.CloudLogin login
                    ? Providers.named(login.method()).flatMap(c -> c.vault().audience()).orElse("vault/" + login.role()) : "";
        }).orElse("");
    }

    /** A join service verifies the signed document; Vault's cloud logins take the cloud's token where it has one. */
    public static GatherRequest.IdentityKind identityKind(Settings settings) {
        boolean vaultCloudLogin = settings.join()
                .map(j -> j.service() instanceof JoinSettings.Vault vault && vault.auth() instanceof JoinSettings.CloudLogin)
                .orElse(false);
        return vaultCloudLogin ? GatherRequest.IdentityKind.TOKEN : GatherRequest.IdentityKind.DOCUMENT;
    }

    /**
     * Joins, once {@link #preview} has accepted the declarations. Nothing is written here but
     * Vault's AWS nonce (see VaultJoin); the result's files go through the plan, and its
     * bootstrap files are deleted only once those are written.
     */
    public static Joined run(JoinSettings join, Declarations declared, InstanceMetadata metadata, TargetRoot root)
            throws JoinException {
        return switch (join.service()) {
            case JoinSettings.Http http -> HttpJoin.run(join, http, declared, metadata, root);
            case JoinSettings.Vault vault -> VaultJoin.run(join, vault, declared, metadata, root);
        };
    }

    /**
     * What a join would give, with empty values: the plan is checked with it before the join
     * uses up a one-time secret, and {@code --dry-run} shows it without joining.
     *
     * @throws PlanException when a declared source is one this join cannot give
     */
    public static Joined preview(JoinSettings join, Declarations declared) throws PlanException {
        List<String> errors = new ArrayList<>();
        checkSources(join, declared, errors);
        if (!errors.isEmpty()) {
            throw new PlanException(errors);
        }
        Map<String, Secret> secrets = new HashMap<>();
        for (SecretDecl decl : declared.secrets()) {
            if (decl.source() instanceof Source.FromJoin || decl.source() instanceof Source.FromVault) {
                secrets.put(decl.name(), Secret.empty());
            }
        }
        boolean certificate = !(join.service() instanceof JoinSettings.Vault vault) || vault.pki().isPresent();
        return new Joined(secrets,
                certificate ? Joined.material(join.certificate(), Secret.empty(), Secret.empty(), JoinNames.source(join)) : List.of(),
                List.of());
    }

    /**
     * {@code bootsecrets check}: sources that the configured join cannot give, and bootstrap
     * secrets that stay usable after the join (not wrapped, not deletable).
     */
    public static void check(Optional<JoinSettings> join, Declarations declared, List<String> errors, List<String> warnings) {
        if (join.isEmpty()) {
            return; // join: and vault: sources without a join are plan errors, found by the plan's own check
        }
        checkSources(join.get(), declared, errors);
        switch (join.get().service()) {
            case JoinSettings.Http http -> http.token().ifPresent(t -> checkBootstrap(t, "join.token", declared, errors, warnings));
            case JoinSettings.Vault vault -> {
                if (vault.auth() instanceof JoinSettings.AppRole approle) {
                    declaration(approle.roleId(), "join.vault.auth.roleId", declared, errors);
                    checkBootstrap(approle.secretId(), "join.vault.auth.secretId", declared, errors, warnings);
                    if (!approle.wrapped()) {
                        warnings.add("join.vault.auth: the secret_id is not response-wrapped: whoever reads it first can"
                                + " log in as this machine, unseen. Issue it with a wrap TTL (-wrap-ttl) and set"
                                + " wrapped: true; make it single-use (num_uses=1)");
                    }
                }
            }
        }
    }

    private static void checkSources(JoinSettings join, Declarations declared, List<String> errors) {
        boolean vault = join.service() instanceof JoinSettings.Vault;
        for (SecretDecl decl : declared.secrets()) {
            String field = decl.origin() + " (secrets." + decl.name() + ")";
            if (decl.source() instanceof Source.FromVault && !vault) {
                errors.add(field + ": a vault: source, but the join is a join service (join.url), not Vault");
            }
            if (decl.source() instanceof Source.FromJoin j && vault && !j.name().equals(JoinNames.VAULT_TOKEN)) {
                errors.add(field + ": with Vault, join: gives only join:" + JoinNames.VAULT_TOKEN
                        + "; read Vault's secrets with vault:MOUNT/PATH#KEY");
            }
            if (decl.source() instanceof Source.FromJoin j && !vault && j.name().equals(JoinNames.VAULT_TOKEN)) {
                errors.add(field + ": join:" + JoinNames.VAULT_TOKEN + " needs join.vault");
            }
        }
    }

    /** A bootstrap secret that outlives the join is a warning: it should be single-use on the server. */
    private static void checkBootstrap(
            String name, String field, Declarations declared, List<String> errors, List<String> warnings) {
        Optional<SecretDecl> decl = declaration(name, field, declared, errors);
        if (decl.isEmpty()) {
            return;
        }
        switch (decl.get().source()) {
            case Source.FromMetadata m -> warnings.add(field + ": the bootstrap secret comes from metadata, which"
                    + " cannot be deleted after the join: make it single-use on the server");
            case Source.Inline i -> warnings.add(field + ": the bootstrap secret is inline, so it cannot be deleted"
                    + " after the join: make it single-use on the server");
            case Source.FromFile f when f.path().startsWith("/usr/") -> warnings.add(field + ": " + f.path()
                    + " cannot be deleted after the join on image-mode hosts (/usr is read-only): put it under"
                    + " /etc, or make it single-use on the server");
            default -> { }
        }
    }

    private static Optional<SecretDecl> declaration(String name, String field, Declarations declared, List<String> errors) {
        Optional<SecretDecl> decl = declared.secrets().stream().filter(d -> d.name().equals(name)).findFirst();
        if (decl.isEmpty()) {
            errors.add(field + ": secret " + name + " is not declared under secrets");
        }
        return decl;
    }
}
