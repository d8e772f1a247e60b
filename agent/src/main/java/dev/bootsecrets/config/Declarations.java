package dev.bootsecrets.config;

import dev.bootsecrets.secret.Secret;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** What the agent should write: named secrets, SSH keys and files, each with its origin. */
public record Declarations(List<SecretDecl> secrets, List<SshDecl> ssh, List<FileDecl> files) {

    public Declarations {
        secrets = List.copyOf(secrets);
        ssh = List.copyOf(ssh);
        files = List.copyOf(files);
    }

    public static Declarations empty() {
        return new Declarations(List.of(), List.of(), List.of());
    }

    /** Where a named secret's value comes from. */
    public sealed interface Source {
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
}
