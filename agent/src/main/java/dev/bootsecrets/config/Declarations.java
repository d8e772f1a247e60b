package dev.bootsecrets.config;

import dev.bootsecrets.secret.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What the agent should write: named secrets, SSH keys, files, registry auth, systemd
 * credentials, env files and podman secrets, each with its origin.
 */
public record Declarations(
        List<SecretDecl> secrets,
        List<SshDecl> ssh,
        List<FileDecl> files,
        List<RegistryDecl> registries,
        List<CredentialDecl> credentials,
        List<EnvDecl> env,
        List<PodmanDecl> podman) {

    public Declarations {
        secrets = List.copyOf(secrets);
        ssh = List.copyOf(ssh);
        files = List.copyOf(files);
        registries = List.copyOf(registries);
        credentials = List.copyOf(credentials);
        env = List.copyOf(env);
        podman = List.copyOf(podman);
    }

    /** Secrets, SSH keys and files only (what cloud-config can declare). */
    public Declarations(List<SecretDecl> secrets, List<SshDecl> ssh, List<FileDecl> files) {
        this(secrets, ssh, files, List.of(), List.of(), List.of(), List.of());
    }

    public static Declarations empty() {
        return new Declarations(List.of(), List.of(), List.of());
    }

    public Declarations withSsh(List<SshDecl> value) {
        return new Declarations(secrets, value, files, registries, credentials, env, podman);
    }

    /** One use of a named secret: the field that makes it, the origin of its declaration, the secret's name. */
    public record Reference(String field, Origin origin, String secret) {}

    /** Every reference to a named secret, in declaration order. */
    public List<Reference> references() {
        List<Reference> refs = new ArrayList<>();
        for (FileDecl file : files) {
            if (file.content() instanceof Content.SecretRef ref) {
                refs.add(new Reference(file.origin().toString(), file.origin(), ref.name()));
            }
        }
        for (RegistryDecl registry : registries) {
            switch (registry.login()) {
                case RegistryLogin.Password p -> refs.add(new Reference(registry.origin() + ".password", registry.origin(), p.secret()));
                case RegistryLogin.IdentityToken t ->
                        refs.add(new Reference(registry.origin() + ".identityToken", registry.origin(), t.secret()));
                case RegistryLogin.Helper h -> { }
            }
        }
        for (CredentialDecl credential : credentials) {
            refs.add(new Reference(credential.origin() + ".secret", credential.origin(), credential.secret()));
        }
        for (EnvDecl decl : env) {
            for (EnvVar var : decl.vars()) {
                if (var.value() instanceof Content.SecretRef ref) {
                    refs.add(new Reference(decl.origin() + "." + var.name(), decl.origin(), ref.name()));
                }
            }
        }
        for (PodmanDecl secret : podman) {
            refs.add(new Reference(secret.origin() + ".secret", secret.origin(), secret.secret()));
        }
        return refs;
    }

    /**
     * Where a named secret's value comes from. Each kind has a name ({@link #kind}), the word
     * before the colon in {@code from:} ({@value #VALUE} for an inline value), by which the
     * image's policy lets user-data use it or not ({@code userData.sources}).
     */
    public sealed interface Source {
        String VALUE = "value";
        String FILE = "file";
        String METADATA = "metadata";
        String JOIN = "join";
        String VAULT = "vault";
        String AWS_SECRETS_MANAGER = "aws-secretsmanager";
        String AWS_SSM = "aws-ssm";
        String GCP_SECRET_MANAGER = "gcp-secretmanager";
        String AZURE_KEY_VAULT = "azure-keyvault";

        /** Every kind of source, as {@code userData.sources} may list them. */
        Set<String> KINDS = Set.of(VALUE, FILE, METADATA, JOIN, VAULT, AWS_SECRETS_MANAGER, AWS_SSM, GCP_SECRET_MANAGER,
                AZURE_KEY_VAULT);

        /** The kind's name, as {@code userData.sources} lists it. */
        default String kind() {
            return switch (this) {
                case Inline i -> VALUE;
                case FromFile f -> FILE;
                case FromMetadata m -> METADATA;
                case FromJoin j -> JOIN;
                case FromVault v -> VAULT;
                case AwsSecret a -> AWS_SECRETS_MANAGER;
                case AwsParameter a -> AWS_SSM;
                case GcpSecret g -> GCP_SECRET_MANAGER;
                case AzureSecret a -> AZURE_KEY_VAULT;
            };
        }

        /** An inline value: every reader of the metadata service can see it. */
        record Inline(Secret value) implements Source {}

        /** {@code file:PATH}, a path under the target root. */
        record FromFile(String path) implements Source {}

        /** {@code metadata:attributes/NAME}: a metadata attribute or instance tag. */
        record FromMetadata(String attribute) implements Source {}

        /** {@code join:NAME}: a secret the join service hands out (or {@code vault-token}). */
        record FromJoin(String name) implements Source {}

        /** {@code vault:MOUNT/PATH#KEY}: one key of a Vault KV secret, read during the join. */
        record FromVault(String path, String key) implements Source {}

        /**
         * A secret in the cloud's own secrets manager, read with the instance's identity (role,
         * service account, managed identity) once the plan has been checked with a stand-in.
         */
        sealed interface FromCloud extends Source {
            /** {@code kind:REFERENCE} as declared, for messages; the reference is a name, never a value. */
            String reference();
        }

        /**
         * {@code aws-secretsmanager:NAME[?stage=S|?version=ID][&region=R][#KEY]}: GetSecretValue
         * of NAME (or an ARN, whose region is used), one version stage or id (AWSCURRENT when
         * neither), and optionally one key of the SecretString's JSON object.
         */
        record AwsSecret(String secretId, Optional<String> stage, Optional<String> versionId, Optional<String> region,
                Optional<String> jsonKey) implements FromCloud {
            public String reference() {
                return kind() + ":" + secretId + jsonKey.map(k -> "#" + k).orElse("");
            }
        }

        /** {@code aws-ssm:/PARAMETER/PATH[?region=R]}: GetParameter with decryption (SecureString or String). */
        record AwsParameter(String name, Optional<String> region) implements FromCloud {
            public String reference() {
                return kind() + ":" + name;
            }
        }

        /**
         * {@code gcp-secretmanager:[projects/P/]secrets/S[/versions/V]}: one version's payload
         * (latest when none is named), in the instance's project when none is named.
         */
        record GcpSecret(Optional<String> project, String secret, String version) implements FromCloud {
            public String reference() {
                return kind() + ":" + project.map(p -> "projects/" + p + "/").orElse("") + "secrets/" + secret
                        + "/versions/" + version;
            }
        }

        /** {@code azure-keyvault:VAULT/NAME[/VERSION]}: a Key Vault secret's value, the latest when no version is named. */
        record AzureSecret(String vault, String name, Optional<String> version) implements FromCloud {
            public String reference() {
                return kind() + ":" + vault + "/" + name + version.map(v -> "/" + v).orElse("");
            }
        }
    }

    public enum Encoding { NONE, BASE64 }

    /** {@code secrets.NAME}: a named secret. */
    public record SecretDecl(String name, Source source, Encoding encoding, int maxBytes, Origin origin) {}

    /** Public keys for one user, from {@code ssh.USER}, ssh_authorized_keys or users[]. */
    public record SshDecl(String user, List<String> keys, Origin origin) {
        public SshDecl {
            keys = List.copyOf(keys);
        }
    }

    /** What a file holds: literal bytes, or the value of a named secret. */
    public sealed interface Content {
        record Literal(Secret bytes) implements Content {}

        record SecretRef(String name) implements Content {}
    }

    /**
     * {@code files.PATH} or a cloud-init {@code write_files} entry. Owner and group are
     * names (resolved in the target root at plan time); empty means root.
     *
     * @param append add the content to the end of the file (once) instead of replacing it
     */
    public record FileDecl(
            String path,
            Content content,
            Optional<String> owner,
            Optional<String> group,
            OptionalInt mode,
            boolean append,
            Origin origin) {}

    /**
     * {@code registries.KEY}: how to log in to one registry (a host, host:port, or
     * host/namespace/repo), written to containers-auth.json.
     */
    public record RegistryDecl(String registry, RegistryLogin login, Origin origin) {}

    /** The three ways containers-auth.json can hold a login. */
    public sealed interface RegistryLogin {
        /** {@code auths.KEY.auth}: base64 of username:password; the password is a named secret. */
        record Password(String username, String secret) implements RegistryLogin {}

        /** {@code auths.KEY.identitytoken}, an OAuth2 refresh token, with the username it goes with. */
        record IdentityToken(String username, String secret) implements RegistryLogin {}

        /** {@code credHelpers.KEY}: the suffix of a docker-credential-NAME program. */
        record Helper(String helper) implements RegistryLogin {}
    }

    /** How a systemd credential is stored: plain, or encrypted the way {@code systemd-creds --with-key=} does. */
    public enum Encryption {
        NONE("false"), HOST("host"), TPM2("tpm2"), HOST_TPM2("host+tpm2");

        private final String word;

        Encryption(String word) {
            this.word = word;
        }

        /** As written in config, and as systemd-creds --with-key= names it. */
        public String word() {
            return word;
        }
    }

    /** {@code credentials.NAME}: a systemd credential holding the value of a named secret. */
    public record CredentialDecl(String name, String secret, Encryption encryption, Origin origin) {}

    /** {@code env.NAME}: an EnvironmentFile of variables, each a literal or a named secret. */
    public record EnvDecl(String name, List<EnvVar> vars, Origin origin) {
        public EnvDecl {
            vars = List.copyOf(vars);
        }
    }

    /** One variable of an env file, its value a literal or the value of a named secret. */
    public record EnvVar(String name, Content value) {}

    /**
     * {@code podman.NAME}: a podman secret served by the agent (podman's shell driver), holding a
     * named secret, to root's podman or, with {@code user}, to that user's own (rootless) podman.
     */
    public record PodmanDecl(String name, String secret, Optional<String> user, Origin origin) {}
}
