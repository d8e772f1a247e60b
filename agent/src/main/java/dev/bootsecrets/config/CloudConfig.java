package dev.bootsecrets.config;

import dev.bootsecrets.config.Declarations.Content;
import dev.bootsecrets.config.Declarations.FileDecl;
import dev.bootsecrets.config.Declarations.SshDecl;
import dev.bootsecrets.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The cloud-init keys bootsecrets honours, meaning what they mean to cloud-init:
 * {@code ssh_authorized_keys}, {@code users[].ssh_authorized_keys} and {@code write_files}.
 * Every other cloud-config key is cloud-init's business and is ignored.
 */
final class CloudConfig {
    static final int DEFAULT_MODE = 0644;
    /** The top-level keys {@link #read} looks at. */
    static final Set<String> KEYS = Set.of("ssh_authorized_keys", "users", "write_files");
    private static final Set<String> BASE64 = Set.of("b64", "base64");
    private static final Set<String> GZIP = Set.of("gz", "gzip");
    private static final Set<String> GZIP_BASE64 = Set.of("gz+b64", "gz+base64", "gzip+b64", "gzip+base64");

    private CloudConfig() {}

    /**
     * The document's SSH keys and files; no secrets.
     *
     * @param defaultUser whose keys the top-level {@code ssh_authorized_keys} are
     */
    static Declarations read(Map<?, ?> doc, String defaultUser, Scope scope) {
        List<SshDecl> ssh = new ArrayList<>();
        Fields.optional(doc, "ssh_authorized_keys", "", scope, Fields::strings).ifPresent(keys -> {
            scope.checkSshUser("ssh_authorized_keys", defaultUser);
            ssh.add(new SshDecl(defaultUser, keys, scope.origin("ssh_authorized_keys")));
        });
        for (var entry : userEntries(doc.get("users")).entrySet()) {
            // Plain names and entries without keys only create users, which is cloud-init's job, not ours.
            Map<?, ?> user = entry.getValue();
            if (user.containsKey("ssh_authorized_keys")) {
                String path = entry.getKey();
                // as cloud-init: no name, or "default", is the default user; one key may be a plain string
                Object named = user.containsKey("name") ? user.get("name") : "default";
                Optional<String> name = "default".equals(named) ? Optional.of(defaultUser) : Fields.name(named, path + ".name", scope);
                Object given = user.get("ssh_authorized_keys");
                Optional<List<String>> keys = given instanceof String key ? Optional.of(List.of(key))
                        : Fields.strings(given, path + ".ssh_authorized_keys", scope);
                name.ifPresent(n -> scope.checkSshUser(path + ".name", n));
                if (name.isPresent() && keys.isPresent()) {
                    ssh.add(new SshDecl(name.get(), keys.get(), scope.origin(path)));
                }
            }
        }
        List<FileDecl> files = new ArrayList<>();
        Fields.optional(doc, "write_files", "", scope, Fields::list).ifPresent(entries -> {
            for (int i = 0; i < entries.size(); i++) {
                String path = "write_files[" + i + "]";
                Fields.map(entries.get(i), path, scope).flatMap(e -> writeFile(e, path, scope)).ifPresent(f -> add(files, f));
            }
        });
        return new Declarations(List.of(), ssh, files);
    }

    /**
     * The {@code users} entries that are mappings, by the path errors name: cloud-init takes a
     * list of names and mappings, or a mapping of name to entry.
     */
    private static Map<String, Map<?, ?>> userEntries(Object users) {
        Map<String, Map<?, ?>> out = new LinkedHashMap<>();
        List<?> list = users instanceof Map<?, ?> byName ? List.copyOf(byName.entrySet()) : users instanceof List<?> l ? l : List.of();
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) instanceof Map<?, ?> user) {
                out.put("users[" + i + "]", user);
            } else if (list.get(i) instanceof Map.Entry<?, ?> e && e.getValue() instanceof Map<?, ?> user) {
                Map<Object, Object> named = new LinkedHashMap<>(user);
                named.put("name", e.getKey());
                out.put("users[" + i + "]", named);
            }
        }
        return out;
    }

    /**
     * cloud-init writes the entries in order, so {@code append: true} to a path an earlier entry
     * writes ends with both contents and the later entry's owner and mode: one file, not two writes.
     */
    private static void add(List<FileDecl> files, FileDecl file) {
        for (int i = files.size() - 1; i >= 0; i--) {
            FileDecl earlier = files.get(i);
            if (earlier.path().equals(file.path())) {
                if (file.append() && earlier.content() instanceof Content.Literal(Secret a) && file.content() instanceof Content.Literal(Secret b)) {
                    byte[] both = new byte[a.length() + b.length()];
                    byte[] first = a.bytes();
                    byte[] second = b.bytes();
                    System.arraycopy(first, 0, both, 0, first.length);
                    System.arraycopy(second, 0, both, first.length, second.length);
                    files.set(i, new FileDecl(file.path(), new Content.Literal(Secret.of(both)), file.owner(), file.group(),
                            file.mode(), earlier.append(), file.origin()));
                    Secret.wipe(first);
                    Secret.wipe(second);
                    Secret.wipe(both);
                    return;
                }
                break;
            }
        }
        files.add(file);
    }

    private static Optional<FileDecl> writeFile(Map<?, ?> entry, String path, Scope scope) {
        if (!entry.containsKey("path")) {
            scope.error(path + ".path", "is required");
        }
        Optional<String> file = Fields.optional(entry, "path", path, scope, Fields::string).filter(p -> {
            if (!Fields.plainAbsolute(p)) {
                scope.error(path + ".path", Fields.PATH_RULE);
            }
            return Fields.plainAbsolute(p);
        });
        if (entry.containsKey("source")) {
            scope.error(path + ".source", "is not supported (bootsecrets downloads nothing); give content");
        }
        Optional<String> owner = Optional.empty();
        Optional<String> group = Optional.empty();
        Optional<String> owners = Fields.optional(entry, "owner", path, scope, Fields::string);
        if (owners.isPresent()) {
            // "user:group" or "user"; cloud-init's default is root:root
            String[] names = owners.get().split(":", -1);
            if (names.length > 2) {
                scope.error(path + ".owner", "must be USER or USER:GROUP");
            } else {
                owner = Fields.name(names[0], path + ".owner", scope);
                // cloud-init changes no group for "user" alone: the file keeps root's
                group = names.length == 2 ? Fields.name(names[1], path + ".owner", scope) : Optional.of("root");
                scope.checkOwner(path + ".owner", owner);
                scope.checkOwner(path + ".owner", group);
            }
        }
        int mode = Fields.optional(entry, "permissions", path, scope, Fields::mode).orElse(DEFAULT_MODE);
        boolean append = Fields.optional(entry, "append", path, scope, Fields::bool).orElse(false);
        Optional<Secret> content = content(entry, path, scope);
        if (file.isEmpty() || content.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new FileDecl(file.get(), new Content.Literal(content.get()), owner, group,
                OptionalInt.of(mode), append, scope.origin(path)));
    }

    /** The content decoded as its {@code encoding} says, by cloud-init's names for them. */
    private static Optional<Secret> content(Map<?, ?> entry, String path, Scope scope) {
        if (scope.budget().exhausted()) {
            return Optional.empty(); // reported once, where it ran out
        }
        Object content = entry.containsKey("content") ? entry.get("content") : "";
        String field = path + ".content";
        String encoding = Fields.optional(entry, "encoding", path, scope, Fields::string)
                .map(e -> e.strip().toLowerCase(Locale.ROOT)).orElse("text/plain");
        boolean base64 = BASE64.contains(encoding) || GZIP_BASE64.contains(encoding);
        boolean gzip = GZIP.contains(encoding) || GZIP_BASE64.contains(encoding);
        if (!base64 && !gzip && !encoding.equals("text/plain")) {
            scope.error(path + ".encoding", Fields.show(encoding) + " is not an encoding (use b64, gzip, gz+b64 or text/plain)");
            return Optional.empty();
        }
        byte[] bytes;
        if (base64) {
            Optional<byte[]> decoded = Fields.string(content, field, scope).flatMap(Fields::base64);
            if (decoded.isEmpty()) {
                if (content instanceof String) {
                    scope.error(field, "is not valid base64 (encoding: " + encoding + ")");
                }
                return Optional.empty();
            }
            bytes = decoded.get();
        } else if (content instanceof String s) {
            bytes = s.getBytes(gzip ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        } else if (content instanceof byte[] b) {
            bytes = b.clone();
        } else {
            scope.error(field, "must be a string (or !!binary)");
            return Optional.empty();
        }
        if (gzip) {
            // only gzip makes more than its document holds (base64 makes less): it counts against the total
            byte[] packed = bytes;
            try {
                bytes = scope.budget().inflate(packed, scope.where(field));
            } catch (ConfigException e) {
                scope.errors().addAll(e);
                return Optional.empty();
            } finally {
                Secret.wipe(packed);
            }
        }
        Secret secret = Secret.of(bytes);
        Secret.wipe(bytes);
        return Optional.of(secret);
    }
}
