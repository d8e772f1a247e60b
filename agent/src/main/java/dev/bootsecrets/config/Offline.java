package dev.bootsecrets.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code offline:}, the image's consent to the last-known-good store: after a fully
 * successful run the values it used are kept encrypted under /var/lib/bootsecrets/store, and
 * a later run whose metadata service or join is down applies them instead of writing nothing.
 * Only the image's config may set it (user-data and /etc may not): it decides that secrets
 * outlive a boot on this disk.
 *
 * @param maxAge a stored value older than this is never applied
 * @param key    how the store key is sealed: AUTO (the TPM2 when there is one, else the host
 *               key) or FILE (a plain root 0400 key file, for images without either)
 */
public record Offline(Duration maxAge, KeySealing key) {
    public enum KeySealing { AUTO, FILE }

    static final Set<String> KEYS = Set.of("maxAge", "key");

    static Optional<Offline> read(Object value, Scope scope) {
        Optional<Map<?, ?>> m = Fields.map(value, "offline", scope);
        if (m.isEmpty()) {
            return Optional.empty();
        }
        Fields.checkKeys(m.get(), KEYS, "offline", scope);
        Optional<Duration> maxAge = m.get().containsKey("maxAge")
                ? Fields.duration(m.get().get("maxAge"), "offline.maxAge", scope)
                : Optional.empty();
        if (!m.get().containsKey("maxAge")) {
            scope.error("offline.maxAge", "is required (how old a stored value may be, such as 7d)");
        }
        Object k = m.get().get("key");
        if (k != null && !"auto".equals(k) && !"file".equals(k)) {
            scope.error("offline.key", "must be auto (TPM2, else the host key) or file");
        }
        KeySealing key = "file".equals(k) ? KeySealing.FILE : KeySealing.AUTO;
        return maxAge.map(age -> new Offline(age, key));
    }
}
